"""Least privilege in PostgreSQL: the DBA's bootstrap (deploy/postgres/initdb/02-roles.sql), run
here as shipped under names of this test's own, gives the migrator the schema and the service the
rows of its tables and nothing more.

The server here trusts loopback connections, so passwords are not checked (the compose stack's
is scram-sha-256): what is proven is what each role may do once connected.
"""

import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
import sqlalchemy as sa
from psycopg2 import errorcodes

from registration.adapters.sql.migrate import head_revision
from tests.support.auth import operator_headers
from tests.support.databases import POSTGRES_URL, fresh_postgres_database
from tests.support.registration.service_container import base_url, isolated_service
from tests.support.registration.service_process import ServiceProcess
from tests.support.registration.sign_up import sign_up
from tests.support.web import WebSession
from welcome.adapters.sql_inbox import create_inbox_schema

pytestmark = pytest.mark.integration

REPOSITORY = Path(__file__).resolve().parents[2]
BOOTSTRAP = REPOSITORY / "deploy" / "postgres" / "initdb" / "02-roles.sql"
BIN = Path(sys.executable).parent
SHIPPED_NAMES = ("registration_migrator", "registration_app", "registration", "welcome")


@dataclass(frozen=True)
class Roles:
    migrator_url: str
    app_url: str
    welcome_url: str
    names: dict[str, str]


def bootstrap_steps(names: dict[str, str]) -> list[tuple[str, str]]:
    """The bootstrap file as ("sql", statement) and ("connect", database) steps, each shipped
    name replaced by `names`' (psql runs it this way: one statement after another)."""
    text = re.sub(r"--[^\n]*", "", BOOTSTRAP.read_text("utf-8"))
    text = re.sub(rf"\b({'|'.join(SHIPPED_NAMES)})\b", lambda match: names[match.group(1)], text)
    steps: list[tuple[str, str]] = []
    # split on `\connect DATABASE` lines: SQL, database, SQL, database, ...
    for index, chunk in enumerate(re.split(r"^\\connect (\S+)$", text, flags=re.MULTILINE)):
        if index % 2:
            steps.append(("connect", chunk))
        else:
            steps += [("sql", s.strip()) for s in chunk.split(";") if s.strip()]
    return steps


def admin_connection(database: str) -> psycopg2.extensions.connection:
    url = sa.engine.make_url(POSTGRES_URL)
    connection = psycopg2.connect(
        host=url.host, port=url.port or 5432, user=url.username, dbname=database
    )
    connection.autocommit = True
    return connection


def run_bootstrap(names: dict[str, str]) -> None:
    connection = admin_connection(sa.engine.make_url(POSTGRES_URL).database or "postgres")
    try:
        for kind, text in bootstrap_steps(names):
            if kind == "connect":
                connection.close()
                connection = admin_connection(text)
            else:
                with connection.cursor() as cursor:
                    cursor.execute(text)
    finally:
        connection.close()


def drop_everything(names: dict[str, str]) -> None:
    connection = admin_connection(sa.engine.make_url(POSTGRES_URL).database or "postgres")
    roles = [names["registration_migrator"], names["registration_app"], names["welcome"]]
    try:
        with connection.cursor() as cursor:
            for database in (names["registration"], names["welcome"]):
                cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            for role in roles:
                cursor.execute(
                    "SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)
                )  # a bootstrap that failed half-way made only some
                if cursor.fetchone():
                    cursor.execute(f'DROP OWNED BY "{role}"')
                    cursor.execute(f'DROP ROLE "{role}"')
    finally:
        connection.close()


@pytest.fixture
def roles() -> Iterator[Roles]:
    """The bootstrap run under names suffixed for this test; its databases exist, unmigrated."""
    suffix = uuid.uuid4().hex[:10]
    with fresh_postgres_database(created=False) as url:
        database = sa.engine.make_url(url).database
        assert database is not None
        names = {
            "registration_migrator": f"registration_migrator_{suffix}",
            "registration_app": f"registration_app_{suffix}",
            "registration": database,
            "welcome": f"welcome_{suffix}",
        }
        server = sa.engine.make_url(url)
        try:
            run_bootstrap(names)
            yield Roles(
                migrator_url=_as(server, names["registration_migrator"], database),
                app_url=_as(server, names["registration_app"], database),
                welcome_url=_as(server, names["welcome"], names["welcome"]),
                names=names,
            )
        finally:
            drop_everything(names)


def _as(server: sa.URL, user: str, database: str) -> str:
    return server.set(username=user, database=database).render_as_string(hide_password=False)


@pytest.fixture
def migrated(roles: Roles, tmp_path: Path) -> Roles:
    """registration-migrate as operators run it: the runtime's DATABASE_URL, the owner's URL
    from a secret file (MIGRATION_DATABASE_URL_FILE)."""
    result = migrate_command(roles, tmp_path)
    assert result.returncode == 0, result.stderr
    return roles


def run(command: str, cwd: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"CONFIG", "PYTHONWARNINGS"}}
    return subprocess.run(
        [str(BIN / command)],
        cwd=cwd,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


def migrate_command(roles: Roles, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    secret = tmp_path / "migration-database-url"
    secret.write_text(roles.migrator_url + "\n", encoding="utf-8")
    return run(
        "registration-migrate",
        cwd=tmp_path,
        DATABASE_URL=roles.app_url,
        MIGRATION_DATABASE_URL_FILE=str(secret),
    )


def owners(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return set(
                connection.execute(
                    sa.text("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")
                ).scalars()
            )
    finally:
        engine.dispose()


def test_registration_migrate_builds_the_schema_as_its_owner_not_as_the_runtime_role(migrated):
    assert owners(migrated.app_url) == {migrated.names["registration_migrator"]}


def test_the_runtime_role_alone_cannot_migrate(roles, tmp_path):
    result = run("registration-migrate", cwd=tmp_path, DATABASE_URL=roles.app_url)

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: {roles.names['registration_app']} may not change the schema (permission denied "
        "for schema public): migrate as the schema's owner (MIGRATION_DATABASE_URL)"
    )
    assert "Traceback" not in result.stderr


SCHEMA_CHANGES = {
    "drop": "DROP TABLE outbox",
    "alter": "ALTER TABLE entries ADD COLUMN nickname text",
    "create": "CREATE TABLE notes (id int)",
    "truncate": "TRUNCATE entries",
    "temporary": "CREATE TEMPORARY TABLE scratch (id int)",
    "index": "DROP INDEX ix_outbox_pending",
    "migration_record": "DROP TABLE alembic_version",
}


@pytest.mark.parametrize("statement", SCHEMA_CHANGES.values(), ids=SCHEMA_CHANGES.keys())
def test_the_runtime_role_cannot_change_drop_or_empty_the_schema(migrated, statement):
    connection = psycopg2.connect(migrated.app_url)
    try:
        with pytest.raises(psycopg2.Error) as refused, connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()

    assert refused.value.pgcode == errorcodes.INSUFFICIENT_PRIVILEGE, refused.value.pgerror


def test_the_service_as_the_runtime_role_signs_up_publishes_and_erases(migrated, amqp_uri):
    with (
        isolated_service(amqp_uri, migrated.app_url) as config,
        WebSession(base_url(config)) as session,
    ):
        session.headers.update(operator_headers())
        entry = sign_up(session, migrated.app_url, f"roles-{uuid.uuid4().hex[:12]}@example.com")
        assert session.get(f"/entries/{entry['id']}").status_code == 200
        assert session.delete(f"/entries/{entry['id']}").status_code == 204
        # the relay claimed and marked its rows: UPDATE ... FOR UPDATE SKIP LOCKED
        assert wait_until_published(migrated.app_url)


def wait_until_published(url: str, timeout: float = 15.0) -> bool:
    engine = sa.create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                pending = connection.execute(
                    sa.text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                ).scalar_one()
            if pending == 0:
                return True
            time.sleep(0.2)
        return False
    finally:
        engine.dispose()


def test_registration_run_with_migrations_wait_starts_once_the_migration_job_ran(
    roles, tmp_path, private_vhost
):
    # the runtime's URL from a file too: the nameko that registration-run execs connects with it
    runtime_url = tmp_path / "database-url"
    runtime_url.write_text(roles.app_url + "\n", encoding="utf-8")
    service = ServiceProcess(
        tmp_path / "service.log",
        DATABASE_URL_FILE=str(runtime_url),
        AMQP_URI=private_vhost.amqp_uri,
        MIGRATIONS="wait",
        MIGRATION_WAIT_SECONDS="60",
    )
    migrations: list[int] = []
    job = threading.Timer(
        3.0, lambda: migrations.append(migrate_command(roles, tmp_path).returncode)
    )
    job.start()
    try:
        service.start(timeout=60)
    finally:
        job.join()
        service.stop()

    assert migrations == [0]
    assert f"needs {head_revision()}" in service.output()
    assert owners(roles.app_url) == {roles.names["registration_migrator"]}


def test_the_subscribers_role_creates_its_own_store_in_the_database_it_owns(roles):
    engine = sa.create_engine(roles.welcome_url)
    try:
        create_inbox_schema(engine)
    finally:
        engine.dispose()

    assert owners(roles.welcome_url) == {roles.names["welcome"]}
