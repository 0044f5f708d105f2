"""During a rolling update the previous release's replicas run on the new schema, so an upgrade
only adds: no migration drops, renames or retypes what an older release may still read (README,
Kubernetes: expand first, contract later)."""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

VERSIONS = Path(__file__).resolve().parents[2] / "src/registration/adapters/sql/migrations/versions"
# What only a contract step may do, in a release after the one that stopped reading the column.
CONTRACTING = {"drop_table", "drop_column", "drop_index", "drop_constraint", "rename_table"}
# A contract migration goes here, with the release whose replicas no longer read what it removes.
CONTRACT_MIGRATIONS: dict[str, str] = {}


def _upgrade(path: Path) -> ast.FunctionDef:
    (upgrade,) = [
        node
        for node in ast.parse(path.read_text("utf-8")).body
        if isinstance(node, ast.FunctionDef) and node.name == "upgrade"
    ]
    return upgrade


def _calls(function: ast.FunctionDef) -> list[ast.Call]:
    return [node for node in ast.walk(function) if isinstance(node, ast.Call)]


def _name(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


MIGRATIONS = sorted(path for path in VERSIONS.glob("[0-9]*.py"))


def test_there_are_migrations_to_check() -> None:
    assert len(MIGRATIONS) >= 3


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda path: path.stem)
def test_an_upgrade_only_adds(path: Path) -> None:
    if path.stem in CONTRACT_MIGRATIONS:
        pytest.skip(f"contracts what {CONTRACT_MIGRATIONS[path.stem]} stopped reading")
    calls = _calls(_upgrade(path))
    contracting = [_name(call) for call in calls if _name(call) in CONTRACTING]
    # alter_column with a new name or type changes what a running release reads
    altering = [
        keyword.arg
        for call in calls
        if _name(call) == "alter_column"
        for keyword in call.keywords
        if keyword.arg in {"new_column_name", "type_"}
    ]
    # a new column an older release does not write must not be required of its inserts
    required = [
        call
        for call in calls
        if _name(call) == "add_column"
        and any(
            keyword.arg == "nullable"
            and isinstance(keyword.value, ast.Constant)
            and keyword.value.value is False
            for keyword in ast.walk(call)
            if isinstance(keyword, ast.keyword)
        )
        and not any(
            isinstance(keyword, ast.keyword) and keyword.arg == "server_default"
            for keyword in ast.walk(call)
        )
    ]

    assert contracting == [] and altering == [], f"{path.stem}: {contracting + altering}"
    assert required == [], f"{path.stem}: a NOT NULL column without a server default"
