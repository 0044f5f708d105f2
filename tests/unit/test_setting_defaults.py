"""Each setting's default lives once: in config.yml for nameko's own keys, in its settings class
for the rest. The README's Configuration table must say the same."""

import re
from dataclasses import fields
from pathlib import Path

import pytest

from registration.entrypoints.http.server.web_server import ServerSettings
from registration.infrastructure.settings import BrokerSettings, Settings
from welcome.settings import WelcomeSettings

pytestmark = pytest.mark.unit

REPOSITORY = Path(__file__).parents[2]
CONFIG = (REPOSITORY / "config.yml").read_text()
README = (REPOSITORY / "README.md").read_text()
SETTINGS_CLASSES = (Settings, BrokerSettings, ServerSettings, WelcomeSettings)


def config_entries() -> dict[str, tuple[str, str | None]]:
    """variable -> (config key, default written in config.yml or None)."""
    entries = {}
    for key, variable, default in re.findall(
        r"^\s*(\w+): \$\{(\w+)(:[^}]*)?\}", CONFIG, flags=re.MULTILINE
    ):
        entries[variable] = (key, default[1:] if default else None)
    return entries


def declared_defaults() -> dict[str, object]:
    return {
        f.metadata["key"]: f.default
        for kind in SETTINGS_CLASSES
        for f in fields(kind)
        if "key" in f.metadata
    }


def readme_defaults() -> dict[str, str]:
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    table = {}
    for variables, defaults in re.findall(r"^\| (`[^|]+`) \| ([^|]+) \|", section, re.MULTILINE):
        names = re.findall(r"`(\w+)`", variables)
        values = [v.strip().strip("`") for v in defaults.split("(")[0].split(", ")]
        table.update(zip(names, values, strict=False))
    return table


def same(documented: str, actual: object) -> bool:
    if isinstance(actual, tuple):
        return [float(part) for part in documented.split(",")] == list(actual)
    if isinstance(actual, bool):
        return documented == str(actual).lower()
    if isinstance(actual, int | float):
        return float(documented) == float(actual)
    return documented == ("\u2013" if actual in (None, "") else str(actual))


def test_a_variable_without_a_default_in_config_yml_has_one_declared_in_its_settings():
    declared = declared_defaults()
    without = [v for v, (key, default) in config_entries().items() if default is None]

    assert without, "config.yml passes some variables on without a default"
    registration_keys = [config_entries()[v][0] for v in without if v in readme_defaults()]
    assert all(key in declared for key in registration_keys if key.isupper()), registration_keys


# Read from the environment by `registration-run` itself, not through config.yml.
PROCESS_VARIABLES = {"WEB_CONCURRENCY"}


def test_every_documented_variable_is_read_through_config_yml_or_by_the_process():
    assert set(readme_defaults()) - set(config_entries()) == PROCESS_VARIABLES


@pytest.mark.parametrize("variable", sorted(set(readme_defaults()) - PROCESS_VARIABLES))
def test_the_readme_states_the_default_in_force(variable):
    documented = readme_defaults()[variable]
    key, written = config_entries()[variable]
    if written is not None:
        assert same(documented, written), (variable, documented, written)
    else:
        assert key in declared_defaults(), f"{key} has no default anywhere"
        assert same(documented, declared_defaults()[key]), (variable, documented)
