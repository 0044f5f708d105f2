"""The two services stand apart: they share service_kit and the contract, never each other."""

import ast
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def top_level_imports(package: Path) -> dict[str, set[str]]:
    """Each module of `package` (by its path) -> the top-level names it imports."""
    found = {}
    for source in sorted(package.rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(source.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(source.relative_to(ROOT))] = names
    return found


def offending(package: Path, forbidden: set[str]) -> dict[str, set[str]]:
    return {
        module: names & forbidden
        for module, names in top_level_imports(package).items()
        if names & forbidden
    }


def test_welcome_imports_nothing_of_registration() -> None:
    assert offending(ROOT / "src" / "welcome", {"registration"}) == {}


def test_registration_imports_nothing_of_welcome() -> None:
    assert offending(ROOT / "src" / "registration", {"welcome"}) == {}


def test_the_shared_package_imports_neither_service() -> None:
    assert offending(ROOT / "src" / "service_kit", {"registration", "welcome"}) == {}


def test_the_contract_imports_nothing_but_nameko_and_itself() -> None:
    package = ROOT / "contract" / "src" / "registration_contract"
    allowed = {"nameko", "registration_contract"}

    third_party = {
        module: {name for name in names - allowed if not _in_standard_library(name)}
        for module, names in top_level_imports(package).items()
    }

    assert {module: names for module, names in third_party.items() if names} == {}


def _in_standard_library(name: str) -> bool:
    return name in sys.stdlib_module_names
