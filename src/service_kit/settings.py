"""Settings declared once: a dataclass field per setting, with its config key and default.

config.yml passes each key in from the environment (`${VAR}`); `read_settings` takes the value
from the config, converted to the default's type, or the declared default when the key is unset
or empty. The README's Configuration table is checked against these declarations.
"""

from collections.abc import Callable, Mapping
from dataclasses import MISSING, field, fields
from typing import Any

_FLAGS = {"1", "true", "yes", "on"}


def setting(
    key: str,
    default: Any,
    choices: tuple[str, ...] = (),
    parse: Callable[[Any], Any] | None = None,
    empty_is_a_value: bool = False,
) -> Any:
    """A settings field: the config `key`, its `default`, the values it may take (`choices`),
    how to read it when its default's type does not say (`parse`), and whether an empty value
    means something of its own (`empty_is_a_value`) rather than "unset"."""
    metadata = {"key": key, "choices": choices, "parse": parse, "empty": empty_is_a_value}
    return field(default=default, metadata=metadata)


def read_settings(kind: type, config: Mapping[str, Any], **given: Any) -> Any:
    """An instance of the settings dataclass `kind`, each field from its key in `config`."""
    values = dict(given)
    for declared in fields(kind):
        if declared.name in values or "key" not in declared.metadata:
            continue
        raw = config.get(declared.metadata["key"])
        if isinstance(raw, str):
            raw = raw.strip()
        if raw is None or raw == {} or (raw == "" and not declared.metadata["empty"]):
            continue
        value = _parsed(declared.metadata["parse"], declared.default, raw)
        choices = declared.metadata["choices"]
        if choices and value not in choices:
            key = declared.metadata["key"]
            raise ValueError(f"{key} must be one of {choices}, not {value!r}")
        values[declared.name] = value
    return kind(**values)


def _parsed(parse: Callable[[Any], Any] | None, default: Any, raw: Any) -> Any:
    if parse is not None:
        return parse(raw)
    if default is MISSING or default is None:
        return raw
    if isinstance(default, bool):
        return raw if isinstance(raw, bool) else str(raw).lower() in _FLAGS
    return type(default)(raw)
