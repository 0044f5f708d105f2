import json
import threading
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from registration.adapters.sql.migrate import (
    SchemaNotReady,
    head_revision,
    upgrade_to_head,
    wait_for_head,
)
from registration.adapters.sql.schema import ENTRY_COLUMNS, entry_from_row, metadata, outbox

pytestmark = pytest.mark.adapter


def test_replicas_migrating_at_once_both_succeed(fresh_postgres_url):
    errors = []

    def migrate():
        try:
            upgrade_to_head(fresh_postgres_url)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_migrations_build_the_schema_the_adapters_use(kind, tmp_path, request):
    url = (
        f"sqlite:///{tmp_path / 'm.db'}"
        if kind == "sqlite"
        else request.getfixturevalue("fresh_postgres_url")
    )
    upgrade_to_head(url)
    upgrade_to_head(url)  # a second run is a no-op

    engine = sa.create_engine(url)
    inspector = sa.inspect(engine)
    for table in metadata.tables.values():
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}
        indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        assert {i.name for i in table.indexes} <= indexes
    engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_outbox_rows_stored_before_revision_0002_name_their_entry_after_it(kind, tmp_path, request):
    url = (
        f"sqlite:///{tmp_path / 'm.db'}"
        if kind == "sqlite"
        else request.getfixturevalue("fresh_postgres_url")
    )
    upgrade_to_head(url, revision="0001")
    entry_id = uuid.uuid4()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO outbox (event_id, event_type, payload, created_at)"
                " VALUES (:event_id, 'RegisteredEntryEvent', :payload, :created_at)"
            ),
            {
                "event_id": uuid.uuid4().hex if kind == "sqlite" else str(uuid.uuid4()),
                "payload": json.dumps({"entry_id": str(entry_id), "email": "a@example.com"}),
                # as text: Python 3.12 deprecated sqlite3's implicit datetime adapter
                "created_at": datetime.now(UTC).isoformat(),
            },
        )

    upgrade_to_head(url)

    with engine.connect() as connection:
        assert connection.execute(sa.select(outbox.c.entry_id)).scalar_one() == entry_id
    engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_entries_stored_before_double_opt_in_are_confirmed_and_never_expire(
    kind, tmp_path, request
):
    url = (
        f"sqlite:///{tmp_path / 'm.db'}"
        if kind == "sqlite"
        else request.getfixturevalue("fresh_postgres_url")
    )
    upgrade_to_head(url, revision="0002")
    registered_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO entries (id, email, email_key, registered_at)"
                " VALUES (:id, 'Old@example.com', 'old@example.com', :registered_at)"
            ),
            {
                "id": uuid.uuid4().hex if kind == "sqlite" else str(uuid.uuid4()),
                "registered_at": registered_at.isoformat(),
            },
        )

    upgrade_to_head(url)

    with engine.connect() as connection:
        entry = entry_from_row(connection.execute(sa.select(*ENTRY_COLUMNS)).one())
    engine.dispose()
    assert entry.is_confirmed and entry.confirmed_at == registered_at
    assert entry.expires_at is None and not entry.is_expired(datetime.now(UTC))


def test_waiting_for_the_migrations_returns_once_another_connection_applied_them(
    fresh_postgres_url,
):
    migration_job = threading.Timer(0.5, upgrade_to_head, [fresh_postgres_url])
    migration_job.start()
    try:
        wait_for_head(fresh_postgres_url, timeout_seconds=30, poll_seconds=0.1)
    finally:
        migration_job.join()

    assert current_revision(fresh_postgres_url) == head_revision()


def test_waiting_on_an_older_schema_gives_up_naming_its_revision_and_the_one_needed(
    fresh_postgres_url,
):
    upgrade_to_head(fresh_postgres_url, revision="0002")

    with pytest.raises(SchemaNotReady) as not_ready:
        wait_for_head(fresh_postgres_url, timeout_seconds=0.3, poll_seconds=0.1)

    assert str(not_ready.value) == (
        f"the database's schema is at revision 0002, this release needs {head_revision()} "
        "(waited 0.3 s with MIGRATIONS=wait: run registration-migrate)"
    )


def test_waiting_on_a_database_not_created_yet_keeps_looking_until_it_gives_up():
    from tests.support.databases import fresh_postgres_database

    with (
        fresh_postgres_database(created=False) as missing,
        pytest.raises(SchemaNotReady, match=r"at revision unknown \(.*does not exist\)"),
    ):
        wait_for_head(missing, timeout_seconds=0.3, poll_seconds=0.1)


def test_a_schema_a_newer_release_migrated_is_good_enough_during_a_rolling_update(
    fresh_postgres_url,
):
    upgrade_to_head(fresh_postgres_url)
    engine = sa.create_engine(fresh_postgres_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()

    wait_for_head(fresh_postgres_url, timeout_seconds=0, poll_seconds=0.1)


def current_revision(url: str) -> str:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT version_num FROM alembic_version")
            ).scalar_one()
    finally:
        engine.dispose()
