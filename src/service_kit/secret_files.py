"""`X_FILE` for every setting `X`: the value read from a file, as Docker secrets (/run/secrets/...)
and Kubernetes secret volumes hand passwords and URLs to a container without putting them in its
environment listing.

Applied once by each command before it reads config.yml (`load_config` does it first), so both
the command and the `nameko run` it execs see `X` in their environment. `X_FILE` is then removed:
the process that starts next finds `X` alone and does not read the file again.
"""

import os
import re
from collections.abc import Iterable, MutableMapping

SUFFIX = "_FILE"
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


class SecretFileError(Exception):
    """A `X_FILE` that cannot be used: `X` set as well, or a file that cannot be read."""


def variables_in(config_text: str) -> set[str]:
    """The environment variables a config file reads through nameko's `${VAR}` substitution."""
    return set(_VARIABLE.findall(config_text))


def apply_secret_files(
    names: Iterable[str], environ: MutableMapping[str, str] = os.environ
) -> None:
    """For each `X` of `names` with `X_FILE` in `environ`: set `X` to that file's content (one
    trailing newline stripped, as `echo` and editors leave one) and remove `X_FILE`."""
    for name in sorted(names):
        path = environ.get(name + SUFFIX)
        if path is None:
            continue
        if name in environ:
            raise SecretFileError(
                f"both {name} and {name}{SUFFIX} are set: set only one of them (ambiguous)"
            )
        try:
            with open(path, encoding="utf-8") as stream:
                value = stream.read()
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise SecretFileError(f"{name}{SUFFIX}: cannot read {path} ({reason})") from None
        environ[name] = value.removesuffix("\n").removesuffix("\r")
        del environ[name + SUFFIX]
