"""Programs some tests need that no PyPI package ships (promtool, Chromium, kubectl, HAProxy).

`.ci/run` installs them (`make tools`); under CI=true a missing one fails its tests, elsewhere they
skip with the reason, so `make install` needs neither apt-get nor root.
"""

import os
import shutil
import sys
from pathlib import Path

import pytest

# `make tools` puts the binaries it extracts from Debian's packages beside the venv's Python.
VENV_BIN = Path(sys.executable).parent


def find_tool(name: str) -> str | None:
    in_venv = VENV_BIN / name
    return str(in_venv) if in_venv.exists() else shutil.which(name)


def required_tool(name: str, how_to_get_it: str = "run `make tools`") -> str:
    """The path of `name`, or this test fails under CI and skips elsewhere."""
    found = find_tool(name)
    if found is None:
        message = f"{name} is missing: {how_to_get_it}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found
