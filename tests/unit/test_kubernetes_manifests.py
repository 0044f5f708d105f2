"""deploy/kubernetes, rendered as `kubectl apply -k` would render it, checked as a cluster would
check it (the Kubernetes API's own schemas, offline) and against what the services really read:
their ports, paths, settings, grace period and alert rules."""

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from registration.entrypoints.http.listeners import (
    DEFAULT_MANAGEMENT_ADDRESS,
    DEFAULT_PUBLIC_ADDRESS,
)
from tests.support.config_variables import variables_the_services_read
from tests.support.system_tools import required_tool
from welcome.entrypoints.web import DEFAULT_ADDRESS as WELCOME_DEFAULT_ADDRESS

pytestmark = pytest.mark.unit

REPO_ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = REPO_ROOT / "deploy" / "kubernetes"
TREES = ("base", "overlays/example")
# The oldest Kubernetes release still maintained upstream when the manifests were written.
KUBERNETES_VERSION = "1.32.0"
BUILT_IN_GROUPS = {"", "apps", "batch", "policy", "autoscaling", "networking.k8s.io"}
IMAGE_USER = 10001  # the Dockerfile's USER
PUBLIC_PORT, OPERATOR_PORT = 8000, 9000
WELCOME_PORT = 8001
# Egress any pod may have: DNS, PostgreSQL, RabbitMQ (TLS and not), JWKS over HTTPS, SMTP.
ALLOWED_EGRESS_PORTS = {53, 5432, 5671, 5672, 443, 587, 465, 25}
SECRET_VARIABLES = {
    "DATABASE_URL",
    "MIGRATION_DATABASE_URL",
    "WELCOME_DATABASE_URL",
    "AMQP_URI",
    "LINK_SIGNING_KEYS",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
}


def _render(tree: str) -> list[dict[str, Any]]:
    kubectl = required_tool("kubectl", "install kubectl (it carries kustomize)")
    result = subprocess.run(
        [kubectl, "kustomize", str(KUBERNETES / tree)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [document for document in yaml.safe_load_all(result.stdout) if document]


@pytest.fixture(scope="module", params=TREES)
def objects(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return _render(request.param)


@pytest.fixture(scope="module")
def overlay() -> list[dict[str, Any]]:
    return _render("overlays/example")


def _of_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [item for item in objects if item["kind"] == kind]


def _named(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = [item for item in _of_kind(objects, kind) if item["metadata"]["name"] == name]
    return found


def _pod_templates(objects: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for item in objects:
        if item["kind"] in {"Deployment", "Job"}:
            yield item["metadata"]["name"], item["spec"]["template"]


def _container(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (container,) = _named(objects, kind, name)["spec"]["template"]["spec"]["containers"]
    return container  # type: ignore[no-any-return]


def _environment(objects: list[dict[str, Any]], container: dict[str, Any]) -> dict[str, Any]:
    """Each variable the container gets: its `env` entry, or the value from its ConfigMaps."""
    variables: dict[str, Any] = {}
    for source in container.get("envFrom", []):
        config_map = _named(objects, "ConfigMap", source["configMapRef"]["name"])
        variables.update(config_map["data"])
    for entry in container.get("env", []):
        variables[entry["name"]] = entry.get("value", entry.get("valueFrom"))
    return variables


def _port_of(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


def _container_port(container: dict[str, Any], name: str) -> int:
    (port,) = [port["containerPort"] for port in container["ports"] if port["name"] == name]
    return port  # type: ignore[no-any-return]


# --- as a cluster would take them ---------------------------------------------------------------


def test_every_built_in_object_is_valid_against_the_kubernetes_schemas(
    objects: list[dict[str, Any]],
) -> None:
    built_in = [
        item for item in objects if item["apiVersion"].rpartition("/")[0] in BUILT_IN_GROUPS
    ]

    assert len(built_in) >= 15
    for item in built_in:
        # strict: a misspelt or misplaced field fails, as `kubectl apply --validate=strict` would
        kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)


def test_nothing_but_the_known_kinds_is_rendered(objects: list[dict[str, Any]]) -> None:
    kinds = {item["kind"] for item in objects}

    assert kinds - {"Namespace"} == {
        "ConfigMap",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "Job",
        "NetworkPolicy",
        "Ingress",
        "ServiceMonitor",
        "PrometheusRule",
    }


def test_no_secret_is_embedded_only_referenced(objects: list[dict[str, Any]]) -> None:
    assert _of_kind(objects, "Secret") == []
    for name, template in _pod_templates(objects):
        for container in template["spec"]["containers"]:
            for variable, value in _environment(objects, container).items():
                if variable in SECRET_VARIABLES:
                    assert set(value) == {"secretKeyRef"}, f"{name}: {variable}"
                else:
                    assert not re.search(r"://[^/@\s]+:[^/@\s]+@", str(value)), (
                        f"{name}: {variable}"
                    )


# --- least privilege -----------------------------------------------------------------------------


def test_every_pod_runs_unprivileged_on_a_read_only_root(objects: list[dict[str, Any]]) -> None:
    for name, template in _pod_templates(objects):
        pod = template["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] == IMAGE_USER, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert container["resources"]["requests"] and container["resources"]["limits"], name
            # the only place it may write: tempfile's /tmp, in memory
            assert [mount["mountPath"] for mount in container["volumeMounts"]] == ["/tmp"], name


def test_the_example_namespace_enforces_the_restricted_pod_security_standard(
    overlay: list[dict[str, Any]],
) -> None:
    (namespace,) = _of_kind(overlay, "Namespace")

    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert {item["metadata"].get("namespace") for item in overlay if item is not namespace} == {
        namespace["metadata"]["name"]
    }


def _policy_for(objects: list[dict[str, Any]], labels: dict[str, str]) -> dict[str, Any]:
    (policy,) = [
        item
        for item in _of_kind(objects, "NetworkPolicy")
        if item["spec"]["podSelector"].get("matchLabels") == labels
    ]
    return policy


def _ingress_sources(policy: dict[str, Any]) -> dict[int, list[str]]:
    sources: dict[int, list[str]] = {}
    for rule in policy["spec"].get("ingress", []):
        namespaces = [
            peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
            for peer in rule["from"]
        ]
        for port in rule["ports"]:
            sources.setdefault(port["port"], []).extend(namespaces)
    return sources


def test_network_policies_deny_by_default_and_open_only_each_listener_to_its_audience(
    objects: list[dict[str, Any]],
) -> None:
    (default_deny,) = [
        item for item in _of_kind(objects, "NetworkPolicy") if item["spec"]["podSelector"] == {}
    ]
    assert set(default_deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in default_deny["spec"] and "egress" not in default_deny["spec"]

    api = _policy_for(objects, _selector(objects, "Deployment", "registration"))
    assert _ingress_sources(api) == {PUBLIC_PORT: ["ingress-nginx"], OPERATOR_PORT: ["monitoring"]}
    welcome = _policy_for(objects, _selector(objects, "Deployment", "welcome"))
    assert _ingress_sources(welcome) == {WELCOME_PORT: ["monitoring"]}
    migration = _policy_for(objects, _selector(objects, "Job", "registration-migrate"))
    assert _ingress_sources(migration) == {}

    for policy in (api, welcome, migration):
        ports = {port["port"] for rule in policy["spec"]["egress"] for port in rule["ports"]}
        assert ports <= ALLOWED_EGRESS_PORTS, policy["metadata"]["name"]
        assert 5432 in ports and 53 in ports


def _selector(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, str]:
    item = _named(objects, kind, name)
    if kind == "Job":
        return item["spec"]["template"]["metadata"]["labels"]  # type: ignore[no-any-return]
    return item["spec"]["selector"]["matchLabels"]  # type: ignore[no-any-return]


# --- what the services read ----------------------------------------------------------------------


def test_every_variable_set_is_one_the_services_read(objects: list[dict[str, Any]]) -> None:
    understood = variables_the_services_read()
    for name, template in _pod_templates(objects):
        for container in template["spec"]["containers"]:
            unknown = set(_environment(objects, container)) - understood
            assert unknown == set(), f"{name} sets variables nothing reads: {sorted(unknown)}"


def test_ports_are_the_listeners_the_services_open(objects: list[dict[str, Any]]) -> None:
    api = _container(objects, "Deployment", "registration")
    api_environment = _environment(objects, api)
    assert api_environment["WEB_SERVER_ADDRESS"] == DEFAULT_PUBLIC_ADDRESS
    assert api_environment["MANAGEMENT_ADDRESS"] == DEFAULT_MANAGEMENT_ADDRESS
    assert _container_port(api, "http") == _port_of(DEFAULT_PUBLIC_ADDRESS) == PUBLIC_PORT
    assert _container_port(api, "operator") == _port_of(DEFAULT_MANAGEMENT_ADDRESS)

    welcome = _container(objects, "Deployment", "welcome")
    assert _environment(objects, welcome)["WELCOME_WEB_SERVER_ADDRESS"] == WELCOME_DEFAULT_ADDRESS
    assert _container_port(welcome, "operator") == _port_of(WELCOME_DEFAULT_ADDRESS)

    services = {item["metadata"]["name"]: item for item in _of_kind(objects, "Service")}
    assert [port["port"] for port in services["registration"]["spec"]["ports"]] == [PUBLIC_PORT]
    assert [port["port"] for port in services["registration-operator"]["spec"]["ports"]] == [
        OPERATOR_PORT
    ]
    assert [port["port"] for port in services["welcome-operator"]["spec"]["ports"]] == [
        WELCOME_PORT
    ]


def test_probes_ask_the_public_health_paths_and_the_grace_outlasts_the_readiness_probe(
    objects: list[dict[str, Any]],
) -> None:
    openapi = REPO_ROOT / "src" / "registration" / "contracts" / "openapi.json"
    public_paths = set(yaml.safe_load(openapi.read_text("utf-8"))["paths"])
    api = _container(objects, "Deployment", "registration")
    readiness, liveness = api["readinessProbe"], api["livenessProbe"]

    assert readiness["httpGet"] == {"path": "/health/ready", "port": "http"}
    assert liveness["httpGet"] == {"path": "/health/live", "port": "http"}
    assert {readiness["httpGet"]["path"], liveness["httpGet"]["path"]} <= public_paths
    assert (readiness["periodSeconds"], readiness["failureThreshold"]) == (2, 2)

    grace = float(_environment(objects, api)["SHUTDOWN_GRACE_SECONDS"])
    # the endpoints controller takes the pod out before its listener closes...
    assert grace > readiness["periodSeconds"] * readiness["failureThreshold"]
    # ...and the kubelet's SIGKILL comes after the grace, the requests in flight and a last batch
    pod = _named(objects, "Deployment", "registration")["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] >= grace + 20


def test_the_replicas_wait_for_the_migration_job_which_alone_changes_the_schema(
    objects: list[dict[str, Any]],
) -> None:
    api = _environment(objects, _container(objects, "Deployment", "registration"))
    job = _container(objects, "Job", "registration-migrate")

    assert api["MIGRATIONS"] == "wait"
    assert "MIGRATION_DATABASE_URL" not in api
    assert job["args"] == ["registration-migrate"]
    assert set(_environment(objects, job)) & SECRET_VARIABLES == {"MIGRATION_DATABASE_URL"}
    # the process waits for the schema before it listens: the startup probe lets it
    startup = _container(objects, "Deployment", "registration")["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 300


def test_the_subscriber_replicas_compete_for_one_queue_and_share_an_inbox_on_postgresql(
    objects: list[dict[str, Any]],
) -> None:
    welcome = _named(objects, "Deployment", "welcome")
    environment = _environment(objects, _container(objects, "Deployment", "welcome"))

    assert welcome["spec"]["replicas"] >= 2
    # the SQLite default is a file per process: every replica would welcome each address once
    assert environment["WELCOME_DATABASE_URL"]["secretKeyRef"]["key"] == "database-url"
    assert environment["SMTP_STARTTLS"] == "true"


def test_the_api_keeps_three_replicas_through_disruptions_and_scales_on_cpu(
    objects: list[dict[str, Any]],
) -> None:
    api = _named(objects, "Deployment", "registration")
    (autoscaler,) = _of_kind(objects, "HorizontalPodAutoscaler")
    budgets = {item["metadata"]["name"]: item for item in _of_kind(objects, "PodDisruptionBudget")}

    assert api["spec"]["replicas"] == autoscaler["spec"]["minReplicas"] == 3
    assert autoscaler["spec"]["scaleTargetRef"]["name"] == "registration"
    assert (
        budgets["registration"]["spec"]["selector"]["matchLabels"]
        == api["spec"]["selector"]["matchLabels"]
    )
    assert budgets["welcome"]["spec"]["selector"]["matchLabels"] == _selector(
        objects, "Deployment", "welcome"
    )
    assert api["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


# --- the edge and monitoring ---------------------------------------------------------------------


def _haproxy_public_paths() -> tuple[set[str], set[str]]:
    config = (REPO_ROOT / "deploy" / "haproxy" / "haproxy.cfg").read_text("utf-8")
    exact = re.search(r"acl public_path path (.+)", config)
    prefixes = re.search(r"acl public_path path_beg (.+)", config)
    assert exact and prefixes
    return set(exact.group(1).split()), set(prefixes.group(1).split())


def test_the_ingresses_route_only_the_public_paths_the_balancer_lets_through(
    objects: list[dict[str, Any]],
) -> None:
    exact, prefixes = set(), set()
    for ingress in _of_kind(objects, "Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                assert path["backend"]["service"] == {
                    "name": "registration",
                    "port": {"name": "http"},
                }
                (exact if path["pathType"] == "Exact" else prefixes).add(path["path"])

    assert (exact, prefixes) == _haproxy_public_paths()


def test_sign_ups_have_a_tighter_per_client_rate_limit_than_the_rest(
    objects: list[dict[str, Any]],
) -> None:
    sign_up = _named(objects, "Ingress", "registration-sign-up")
    public = _named(objects, "Ingress", "registration-public")
    paths = [path["path"] for path in sign_up["spec"]["rules"][0]["http"]["paths"]]
    limit = "nginx.ingress.kubernetes.io/"

    assert paths == ["/register"]
    per_second = int(sign_up["metadata"]["annotations"][f"{limit}limit-rpm"]) / 60
    assert per_second < int(public["metadata"]["annotations"][f"{limit}limit-rps"])


def test_the_service_monitor_scrapes_both_operator_listeners(
    objects: list[dict[str, Any]],
) -> None:
    (monitor,) = _of_kind(objects, "ServiceMonitor")
    selected = [
        service
        for service in _of_kind(objects, "Service")
        if monitor["spec"]["selector"]["matchLabels"].items()
        <= service["metadata"].get("labels", {}).items()
    ]
    (endpoint,) = monitor["spec"]["endpoints"]

    assert {service["metadata"]["name"] for service in selected} == {
        "registration-operator",
        "welcome-operator",
    }
    for service in selected:
        assert [port["name"] for port in service["spec"]["ports"]] == [endpoint["port"]]
    assert endpoint["path"] == "/metrics"


def test_the_prometheus_rule_is_alerts_yml_and_passes_promtool(
    objects: list[dict[str, Any]], tmp_path: Path
) -> None:
    (rule,) = _of_kind(objects, "PrometheusRule")
    alerts = REPO_ROOT / "deploy" / "prometheus" / "alerts.yml"
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rule["spec"]), "utf-8")

    assert rule["spec"] == yaml.safe_load(alerts.read_text("utf-8")), "run `make kubernetes-rules`"
    result = subprocess.run(
        [required_tool("promtool"), "check", "rules", str(tmp_path / "rules.yml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_prometheus_rule_file_is_what_make_kubernetes_rules_writes() -> None:
    sys.path.insert(0, str(REPO_ROOT / "scripts"))
    try:
        import kubernetes_alert_rules
    finally:
        sys.path.remove(str(REPO_ROOT / "scripts"))

    written = kubernetes_alert_rules.PROMETHEUS_RULE.read_text("utf-8")
    assert written == kubernetes_alert_rules.prometheus_rule(), "run `make kubernetes-rules`"
