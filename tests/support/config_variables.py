"""What the services read from their environment: config.yml's `${VAR}`s, and the few variables
a process reads itself. Whatever sets a service's variables (compose, Kubernetes) is checked
against it, so a misspelt name fails a test instead of being ignored."""

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# Read by the process, not by config.yml, so a deployment may set them too.
PROCESS_VARIABLES = {
    # registration-run: which config file to apply migrations with and hand to nameko
    "CONFIG",
    # registration-run: how many nameko processes to start on the shared port
    "WEB_CONCURRENCY",
    # the interpreter: unbuffered stdout/stderr, so log lines leave a container at once
    "PYTHONUNBUFFERED",
    # the interpreter: silences the pkg_resources warning the nameko 2.14.1 CLI causes
    "PYTHONWARNINGS",
}


def variables_config_reads() -> set[str]:
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", (REPO_ROOT / "config.yml").read_text()))


def variables_the_services_read() -> set[str]:
    """Each setting, its `X_FILE` form (service_kit/secret_files.py), and the process's own."""
    settings = variables_config_reads()
    return settings | {f"{variable}_FILE" for variable in settings} | PROCESS_VARIABLES
