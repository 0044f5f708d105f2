import json
import threading
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from registration.adapters.sql.migrate import upgrade_to_head
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
