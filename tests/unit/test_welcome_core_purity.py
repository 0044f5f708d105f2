"""The core (domain and application) imports no framework, broker, database or SMTP library."""

import ast
from pathlib import Path

import pytest

import welcome

pytestmark = pytest.mark.unit

FORBIDDEN = {"nameko", "werkzeug", "kombu", "amqp", "sqlalchemy", "eventlet", "smtplib", "psycopg2"}
CORE = [Path(welcome.__file__).parent / "domain", Path(welcome.__file__).parent / "application"]


def imported_top_level_modules(source: Path) -> set[str]:
    tree = ast.parse(source.read_text("utf-8"), filename=str(source))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def core_files() -> list[Path]:
    return sorted(path for folder in CORE for path in folder.rglob("*.py"))


def test_the_core_has_modules_to_check():
    assert len(core_files()) >= 5


@pytest.mark.parametrize("source", core_files(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_a_core_module_imports_no_framework(source):
    assert imported_top_level_modules(source) & FORBIDDEN == set()


@pytest.mark.parametrize("source", core_files(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_a_core_module_imports_nothing_from_the_outer_layers(source):
    tree = ast.parse(source.read_text("utf-8"))
    outer = ("welcome.adapters", "welcome.entrypoints", "welcome.bootstrap", "welcome.event_log")
    imported = [
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert [name for name in imported if name.startswith(outer)] == []
