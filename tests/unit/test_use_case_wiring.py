"""Every use case asks only for ports the composition root provides: one that names another
would fail on its first call, not at start, so this test catches it first."""

import importlib
import pkgutil
from dataclasses import fields, is_dataclass

import pytest

import registration.application.use_cases as use_cases
from registration.bootstrap import bootstrap

pytestmark = pytest.mark.unit


def all_use_cases() -> list[type]:
    found = []
    for module_info in pkgutil.iter_modules(use_cases.__path__):
        module = importlib.import_module(f"{use_cases.__name__}.{module_info.name}")
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and is_dataclass(value)
            and "__call__" in vars(value)
            and value.__module__ == module.__name__
        ]
    return found


def test_there_are_use_cases_to_check():
    assert {kind.__name__ for kind in all_use_cases()} >= {
        "RegisterEntry",
        "GetEntry",
        "EraseEntry",
    }


@pytest.mark.parametrize("use_case", all_use_cases(), ids=lambda kind: kind.__name__)
def test_each_use_case_is_built_from_the_ports_the_root_provides(use_case, tmp_path):
    application = bootstrap(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}", "EVENT_PUBLISHER": "in_process"}
    )
    try:
        assert {f.name for f in fields(use_case)} <= set(application.ports)
        assert isinstance(application.use_case(use_case), use_case)
    finally:
        application.close()
