"""Reads config.yml the way `nameko run` does, for the command-line tools.

Which file: `--config` or $CONFIG when given; else `config.yml` in the working directory (the
repository's, a symlink to the packaged one); else the one installed with the package, so the
tools work from any directory. Every value in it comes from the environment anyway, where a
`X_FILE` stands for `X` (service_kit.secret_files): applied here, before the first read.
"""

import os
import sys
import warnings
from importlib.resources import files
from typing import Any

import yaml

from service_kit.secret_files import SecretFileError, apply_secret_files, variables_in

with warnings.catch_warnings():  # nameko 2.14's CLI module imports the deprecated pkg_resources
    warnings.simplefilter("ignore")
    from nameko.cli.main import setup_yaml_parser

LOCAL_CONFIG = "config.yml"


def config_path(path: str | None = None) -> str:
    if path or (path := os.environ.get("CONFIG")):
        return path
    if os.path.exists(LOCAL_CONFIG):
        return LOCAL_CONFIG
    return str(files("service_kit") / "config.yml")


def load_config(path: str | None = None) -> dict[str, Any]:
    with open(config_path(path), encoding="utf-8") as stream:
        text = stream.read()
    try:
        apply_secret_files(variables_in(text))
    except SecretFileError as error:
        sys.exit(f"error: {error}")
    setup_yaml_parser()  # nameko's ${VAR:default} substitution
    return yaml.safe_load(text) or {}
