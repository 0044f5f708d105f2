"""The Prometheus alert rules in deploy/prometheus, checked by Prometheus's own tool, and written
against metrics the service really exposes."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY, generate_latest

import registration.entrypoints.service  # noqa: F401 - registers every metric of the service
from tests.support.system_tools import required_tool

pytestmark = pytest.mark.unit

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


def promtool(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [required_tool("promtool"), *arguments],
        cwd=RULES,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_rules_pass_prometheus_own_checker() -> None:
    result = promtool("check", "rules", "alerts.yml")

    assert result.returncode == 0, result.stdout + result.stderr


def test_each_alert_fires_on_the_series_meant_to_raise_it_and_only_then() -> None:
    result = promtool("test", "rules", "alerts.test.yml")

    assert result.returncode == 0, result.stdout + result.stderr


def test_every_metric_the_rules_read_is_one_the_service_exposes() -> None:
    rules = yaml.safe_load((RULES / "alerts.yml").read_text())["groups"][0]["rules"]
    read = {
        name
        for rule in rules
        for name in re.findall(r"\b([a-z_]+(?:_total|_seconds|_up))\b", rule["expr"])
    }
    exposed = set(re.findall(r"^([a-z_]+)[{ ]", generate_latest(REGISTRY).decode(), re.M))

    assert read and read <= exposed, read - exposed
