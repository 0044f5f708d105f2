"""The application core must not know about its adapters' frameworks."""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

CORE = Path(__file__).parents[2] / "src" / "registration"
FORBIDDEN = {"nameko", "werkzeug", "kombu", "sqlalchemy", "eventlet", "amqp", "psycopg2"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize(
    "module",
    sorted((CORE / "domain").rglob("*.py")) + sorted((CORE / "application").rglob("*.py")),
    ids=lambda p: str(p.relative_to(CORE)),
)
def test_core_module_imports_no_framework(module):
    assert imported_roots(module) & FORBIDDEN == set()


def test_core_depends_on_no_adapter_or_entrypoint():
    for module in [*(CORE / "domain").rglob("*.py"), *(CORE / "application").rglob("*.py")]:
        source = module.read_text(encoding="utf-8")
        assert "registration.adapters" not in source, module
        assert "registration.entrypoints" not in source, module


def module_imports(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_the_sql_adapter_never_imports_the_outbox_adapter_that_builds_on_it():
    for module in (CORE / "adapters" / "sql").rglob("*.py"):
        upward = {m for m in module_imports(module) if m.startswith("registration.adapters.outbox")}
        assert upward == set(), module
