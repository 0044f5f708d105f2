"""Reads config.yml the way `nameko run` does, for the command-line tools."""

import os
import warnings
from typing import Any

import yaml

with warnings.catch_warnings():  # nameko 2.14's CLI module imports the deprecated pkg_resources
    warnings.simplefilter("ignore")
    from nameko.cli.main import setup_yaml_parser


def load_config(path: str | None = None) -> dict[str, Any]:
    setup_yaml_parser()  # nameko's ${VAR:default} substitution
    with open(path or os.environ.get("CONFIG", "config.yml"), encoding="utf-8") as stream:
        return yaml.safe_load(stream) or {}
