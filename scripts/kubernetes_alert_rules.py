"""`make kubernetes-rules`: deploy/prometheus/alerts.yml as the Prometheus Operator's
PrometheusRule, for deploy/kubernetes/base.

kustomize cannot put a file's content inside an object (Helm's `.Files.Get` can), so the
PrometheusRule is written from the one rules file, and the test suite fails when it is stale.
"""

import sys
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
ALERTS = REPO_ROOT / "deploy" / "prometheus" / "alerts.yml"
PROMETHEUS_RULE = REPO_ROOT / "deploy" / "kubernetes" / "base" / "prometheus-rule.yaml"

HEADER = """\
# Written by `make kubernetes-rules` from deploy/prometheus/alerts.yml: edit that file (its
# comments say why each rule is what it is), then run it. The test suite fails when they differ.
"""


def prometheus_rule() -> str:
    rule = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "nameko-registration"},
        "spec": yaml.safe_load(ALERTS.read_text("utf-8")),
    }
    return HEADER + yaml.safe_dump(rule, sort_keys=False, width=100, allow_unicode=True)


if __name__ == "__main__":
    PROMETHEUS_RULE.write_text(prometheus_rule(), "utf-8")
    print(f"wrote {PROMETHEUS_RULE.relative_to(REPO_ROOT)}", file=sys.stderr)
