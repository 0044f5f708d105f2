"""The commands a newcomer types: clear one-line errors, from any directory, no traceback."""

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from registration.adapters.sql.migrations import versions
from registration.application.use_cases.register_entry import RegisterEntry
from registration.bootstrap import bootstrap
from tests.support.databases import fresh_postgres_database
from tests.support.ports import free_port

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
MIGRATIONS = sorted(
    path.name.split("_")[0] for path in Path(versions.__file__).parent.glob("[0-9]*.py")
)


def run(command: str, *args: str, cwd: Path, **environment: str) -> subprocess.CompletedProcess:
    # no CONFIG: each tool finds its configuration by itself, wherever it is started
    env = {k: v for k, v in os.environ.items() if k not in {"CONFIG", "PYTHONWARNINGS"}}
    return subprocess.run(
        [str(BIN / command), *args],
        cwd=cwd,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def missing_postgres_url() -> Iterator[str]:
    with fresh_postgres_database(created=False) as url:
        yield url


@pytest.fixture
def taken_address() -> Iterator[str]:
    """A port another program listens on, the way eventlet would (SO_REUSEPORT)."""
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", free_port()))
        other.listen()
        yield f"127.0.0.1:{other.getsockname()[1]}"


@pytest.mark.parametrize("concurrency", ["1", "2"])
def test_the_api_on_a_port_in_use_stops_with_one_line(
    tmp_path, taken_address, concurrency, private_vhost
):
    result = run(
        "registration-run",
        cwd=tmp_path,
        WEB_SERVER_ADDRESS=taken_address,
        WEB_CONCURRENCY=concurrency,
        DATABASE_URL=f"sqlite:///{tmp_path / 'registration.db'}",
        # it declares the deployed RPC queue before it finds the port taken
        AMQP_URI=private_vhost.amqp_uri,
    )

    assert result.returncode != 0
    assert result.stderr.splitlines()[-1] == (
        f"error: WEB_SERVER_ADDRESS={taken_address} is already in use by another process; "
        "choose a free port"
    )
    assert "Traceback" not in result.stderr


def test_the_subscriber_on_a_port_in_use_stops_with_one_line(tmp_path, taken_address):
    result = run("welcome-run", cwd=tmp_path, WELCOME_WEB_SERVER_ADDRESS=taken_address)

    assert result.returncode != 0
    assert result.stderr.strip() == (
        f"error: WELCOME_WEB_SERVER_ADDRESS={taken_address} is already in use by another "
        "process; choose a free port"
    )


def test_the_subscriber_with_smtp_credentials_but_no_starttls_stops_with_one_line(tmp_path):
    result = run("welcome-run", cwd=tmp_path, SMTP_USERNAME="mailer", SMTP_PASSWORD="s3cret")

    assert result.returncode != 0
    assert result.stderr.strip() == (
        "error: SMTP_USERNAME or SMTP_PASSWORD is set but SMTP_STARTTLS is not: credentials "
        "are sent only over STARTTLS; set SMTP_STARTTLS=true"
    )


def test_three_replicas_migrating_a_missing_database_at_once_all_succeed_and_migrate_once(
    tmp_path, missing_postgres_url
):
    # As three pods of a fresh deployment would: the database and the schema do not exist yet.
    env = {k: v for k, v in os.environ.items() if k not in {"CONFIG", "PYTHONWARNINGS"}}
    replicas = [
        subprocess.Popen(
            [str(BIN / "registration-migrate")],
            cwd=tmp_path,
            env={**env, "DATABASE_URL": missing_postgres_url},
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [replica.communicate(timeout=60)[1] for replica in replicas]

    assert [replica.returncode for replica in replicas] == [0, 0, 0], outputs
    revisions = re.findall(r"Running upgrade \S* ?-> (\w+),", "".join(outputs))
    assert sorted(revisions) == MIGRATIONS  # each once, by whichever replica came first


def test_a_replica_told_to_wait_for_a_migration_that_never_comes_stops_with_one_line(
    tmp_path, fresh_postgres_url
):
    result = run(
        "registration-run",
        cwd=tmp_path,
        DATABASE_URL=fresh_postgres_url,
        MIGRATIONS="wait",
        MIGRATION_WAIT_SECONDS="1",
        WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}",
        MANAGEMENT_ADDRESS=f"127.0.0.1:{free_port()}",
    )

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: the database's schema is at revision none, this release needs {MIGRATIONS[-1]} "
        "(waited 1 s with MIGRATIONS=wait: run registration-migrate)"
    )
    assert "Traceback" not in result.stderr


def test_an_unknown_migrations_mode_stops_with_one_line(tmp_path):
    result = run(
        "registration-run",
        cwd=tmp_path,
        MIGRATIONS="later",
        WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}",
        MANAGEMENT_ADDRESS=f"127.0.0.1:{free_port()}",
    )

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: MIGRATIONS must be one of ('apply', 'wait'), not 'later'"
    ]


def test_the_outbox_tool_works_outside_the_repository(tmp_path, fresh_postgres_url):
    assert (
        run("registration-migrate", cwd=tmp_path, DATABASE_URL=fresh_postgres_url).returncode == 0
    )

    result = run("registration-outbox", "status", cwd=tmp_path, DATABASE_URL=fresh_postgres_url)

    assert result.returncode == 0, result.stderr
    assert '"pending": 0' in result.stdout
    assert result.stderr == ""


def test_the_outbox_tool_says_what_is_wrong_with_a_date_in_the_options_terms(tmp_path):
    result = run("registration-outbox", "replay", "--since", "yesterday", cwd=tmp_path)

    assert result.returncode == 2
    last_line = result.stderr.strip().splitlines()[-1]
    assert "argument --since: 'yesterday' is not an ISO-8601 date and time" in last_line
    assert "_moment" not in result.stderr


def test_an_operator_finds_an_address_given_on_stdin_and_erases_its_entry_with_audit_lines(
    tmp_path, fresh_postgres_url
):
    assert (
        run("registration-migrate", cwd=tmp_path, DATABASE_URL=fresh_postgres_url).returncode == 0
    )
    app = bootstrap({"DATABASE_URL": fresh_postgres_url, "LINK_SIGNING_KEYS": "k"})
    try:
        entry = app.use_case(RegisterEntry)("Bob.Smith@example.com").entry
    finally:
        app.close()

    def entries(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k not in {"CONFIG", "PYTHONWARNINGS"}}
        return subprocess.run(
            [str(BIN / "registration-entries"), "--operator", "alice", *args],
            cwd=tmp_path,
            env={**env, "DATABASE_URL": fresh_postgres_url, "LINK_SIGNING_KEYS": "k"},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )

    found = entries("find", stdin=" bob.smith@EXAMPLE.COM\n")
    erased = entries("erase", str(entry.id))
    again = entries("find", stdin="bob.smith@example.com\n")

    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["id"] == str(entry.id)
    assert (erased.returncode, json.loads(erased.stdout)) == (0, {"erased": str(entry.id)})
    assert (again.returncode, json.loads(again.stdout)["error"]) == (1, "entry-not-found")
    audit = [
        line
        for result in (found, erased, again)
        for line in result.stderr.splitlines()
        if "audit:" in line
    ]
    assert [line.split("audit: ", 1)[1] for line in audit] == [
        f"lookup by cli:alice, entry {entry.id}: done",
        f"erase by cli:alice, entry {entry.id}: done",
        "lookup by cli:alice, entry -: not_found",
    ]
    assert "bob.smith" not in (found.stderr + erased.stderr + again.stderr).lower()
