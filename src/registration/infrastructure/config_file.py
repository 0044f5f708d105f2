"""Reads config.yml the way `nameko run` does, for the command-line tools."""

import os
from typing import Any

import yaml
from nameko.cli.main import setup_yaml_parser


def load_config(path: str | None = None) -> dict[str, Any]:
    setup_yaml_parser()  # nameko's ${VAR:default} substitution
    with open(path or os.environ.get("CONFIG", "config.yml"), encoding="utf-8") as stream:
        return yaml.safe_load(stream) or {}
