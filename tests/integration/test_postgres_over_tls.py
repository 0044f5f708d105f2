"""Every PostgreSQL connection of both services honours the whole database URL, libpq's TLS
parameters included (`?sslmode=verify-full&sslrootcert=...`): here a server of the test's own
that speaks only TLS, with a certificate from a private CA for `localhost` alone."""

import os
import re
import subprocess
import sys
import uuid
from functools import partial
from pathlib import Path

import psycopg2
import pytest
import sqlalchemy as sa
import trustme

from registration.adapters.outbox.publisher import OutboxEventPublisher
from registration.adapters.sql.engine import make_green_engine
from registration.adapters.sql.unit_of_work import SqlUnitOfWork
from registration.bootstrap import migrate_database
from registration.domain.events import utc_now
from service_kit.database_creation import ensure_database_exists
from tests.support.databases import migrated_database, unique_address
from tests.support.postgres_server import own_postgres_server
from tests.support.registration.use_cases import UseCases
from welcome.adapters.sql_engine import create_inbox_engine
from welcome.adapters.sql_inbox import SqlInbox, create_inbox_schema

pytestmark = pytest.mark.integration

ENCRYPTED = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
# The engines each service builds from its URL (DATABASE_URL, WELCOME_DATABASE_URL).
ENGINE_FACTORIES = {
    "registration": partial(make_green_engine, pool_size=1, timeout_seconds=5),
    "welcome": partial(create_inbox_engine, pool_size=1),
}


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_only_server(authority):
    certificate = authority.issue_cert("localhost")  # not for 127.0.0.1: that is another name
    with own_postgres_server(
        # no `host` line: a session without TLS finds no entry and is refused
        hba=["hostssl all all 127.0.0.1/32 trust"],
        settings={"ssl": "on", "ssl_cert_file": "server.crt", "ssl_key_file": "server.key"},
        files={
            "server.crt": b"".join(blob.bytes() for blob in certificate.cert_chain_pems),
            "server.key": certificate.private_key_pem.bytes(),
        },
    ) as server:
        yield server


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory, authority) -> Path:
    path = tmp_path_factory.mktemp("postgres-ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="module")
def another_ca_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("another-ca") / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return path


def tls_url(server, ca: Path, host="localhost", database="postgres", mode="verify-full") -> str:
    return server.url(host, database, query=f"sslmode={mode}&sslrootcert={ca}")


def new_database_name() -> str:
    return f"registration_{uuid.uuid4().hex[:12]}"


def encrypted(engine: sa.Engine) -> bool:
    try:
        with engine.connect() as connection:
            return bool(connection.exec_driver_sql(ENCRYPTED).scalar_one())
    finally:
        engine.dispose()


def registration_migrate(url: str) -> subprocess.CompletedProcess[str]:
    """The command, as a container runs it, with DATABASE_URL and the packaged config."""
    environment = {k: v for k, v in os.environ.items() if k != "CONFIG"}
    return subprocess.run(
        [str(Path(sys.executable).parent / "registration-migrate")],
        env={**environment, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_registration_migrate_creates_and_migrates_a_database_over_verify_full(
    tls_only_server, ca_file
):
    url = tls_url(tls_only_server, ca_file, database=new_database_name())

    migrate = registration_migrate(url)

    assert migrate.returncode == 0, migrate.stderr
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT version_num FROM alembic_version")
        assert cursor.fetchone() is not None


def test_registration_migrate_refused_by_verify_full_says_why_in_one_line(tls_only_server, ca_file):
    url = tls_url(tls_only_server, ca_file, host="127.0.0.1", database=new_database_name())

    migrate = registration_migrate(url)

    assert migrate.returncode == 1
    assert "Traceback" not in migrate.stderr
    (line,) = [line for line in migrate.stderr.splitlines() if line.startswith("error:")]
    assert "cannot connect to" in line and f"127.0.0.1:{tls_only_server.port}" in line
    assert 'server certificate for "localhost" does not match host name "127.0.0.1"' in line


def test_every_connection_of_the_migration_carries_the_urls_tls_parameters(
    tls_only_server, ca_file
):
    """`prefer`, libpq's default, would connect here too: a dropped query shows only here."""
    url = tls_url(tls_only_server, ca_file, database=new_database_name())
    seen = []

    def record(dialect, connection_record, cargs, cparams):
        seen.append(dict(cparams))

    sa.event.listen(sa.Engine, "do_connect", record)
    try:
        migrate_database({"DATABASE_URL": url})
    finally:
        sa.event.remove(sa.Engine, "do_connect", record)

    # the check for the database, the admin session that creates it, the migration's
    assert {params["dbname"] for params in seen} == {"postgres", sa.make_url(url).database}
    assert all(params["sslmode"] == "verify-full" for params in seen)
    assert all(params["sslrootcert"] == str(ca_file) for params in seen)


def test_a_registration_round_trip_over_verify_full_is_encrypted(tls_only_server, ca_file):
    url = tls_url(tls_only_server, ca_file, database=new_database_name())
    migrate_database({"DATABASE_URL": url})
    database = migrated_database(url)
    use_cases = UseCases(
        partial(SqlUnitOfWork, database, OutboxEventPublisher, lambda changes: None), utc_now
    )
    try:
        address = unique_address("tls")
        entry = use_cases.pending_entry(address)
        stored = use_cases.get_entry(entry.id)
        with database.connection() as connection:
            session_encrypted = connection.exec_driver_sql(ENCRYPTED).scalar_one()
    finally:
        database.engine.dispose()

    assert stored.email.value == address
    assert session_encrypted is True


@pytest.mark.parametrize("service", ENGINE_FACTORIES)
def test_each_services_engine_connects_over_verify_full_encrypted(
    tls_only_server, ca_file, service
):
    engine = ENGINE_FACTORIES[service](tls_url(tls_only_server, ca_file))

    assert encrypted(engine)


@pytest.mark.parametrize("service", ENGINE_FACTORIES)
def test_a_name_the_certificate_is_not_for_is_refused_under_verify_full(
    tls_only_server, ca_file, service
):
    engine = ENGINE_FACTORIES[service](tls_url(tls_only_server, ca_file, host="127.0.0.1"))

    with pytest.raises(
        sa.exc.OperationalError,
        match=re.escape('server certificate for "localhost" does not match host name "127.0.0.1"'),
    ):
        encrypted(engine)


@pytest.mark.parametrize("service", ENGINE_FACTORIES)
def test_verify_ca_accepts_the_same_certificate_whatever_name_is_dialled(
    tls_only_server, ca_file, service
):
    """Why verify-full: any certificate of the CA passes verify-ca, another host's included."""
    url = tls_url(tls_only_server, ca_file, host="127.0.0.1", mode="verify-ca")

    assert encrypted(ENGINE_FACTORIES[service](url))


@pytest.mark.parametrize("mode", ["verify-ca", "verify-full"])
@pytest.mark.parametrize("service", ENGINE_FACTORIES)
def test_a_certificate_from_another_ca_is_refused(tls_only_server, another_ca_file, service, mode):
    engine = ENGINE_FACTORIES[service](tls_url(tls_only_server, another_ca_file, mode=mode))

    with pytest.raises(sa.exc.OperationalError, match="certificate verify failed"):
        encrypted(engine)


@pytest.mark.parametrize("service", ENGINE_FACTORIES)
def test_plaintext_is_refused_by_the_server(tls_only_server, service):
    engine = ENGINE_FACTORIES[service](tls_only_server.url(query="sslmode=disable"))

    with pytest.raises(sa.exc.OperationalError, match=r"no pg_hba\.conf entry .* no encryption"):
        encrypted(engine)


def test_the_subscribers_inbox_records_an_event_over_verify_full(tls_only_server, ca_file):
    url = tls_url(tls_only_server, ca_file, database=new_database_name())
    ensure_database_exists(url)  # as `welcome-run` does before nameko starts
    engine = create_inbox_engine(url, pool_size=1)
    event_id = str(uuid.uuid4())
    try:
        create_inbox_schema(engine)
        with SqlInbox(engine).begin() as transaction:
            recorded = transaction.record_processed(event_id)
            transaction.commit()
        with SqlInbox(engine).begin() as transaction:
            duplicate = not transaction.record_processed(event_id)
    finally:
        engine.dispose()

    assert recorded and duplicate
