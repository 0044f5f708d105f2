"""The expiry of unconfirmed entries against each database: what the sweep erases, what it keeps,
and the lock that lets one replica at a time do it."""

import json
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from registration.adapters.outbox.publisher import OutboxEventPublisher
from registration.adapters.sql import fleet_lock
from registration.adapters.sql.pending_expiry import earliest_expiry
from registration.adapters.sql.schema import entries, outbox
from registration.adapters.sql.unit_of_work import SqlUnitOfWork
from registration.domain.events import utc_now
from tests.support.databases import migrated_database, unique_address
from tests.support.registration.entries import POLICY
from tests.support.registration.use_cases import UseCases

pytestmark = pytest.mark.adapter


class Clock:
    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def service(database, clock):
    uow = partial(SqlUnitOfWork, database, OutboxEventPublisher, lambda changes: None)
    return UseCases(uow, clock)


def test_the_sweep_erases_the_expired_pending_entries_with_their_events_and_keeps_the_rest(
    service, database, clock
):
    expired = [service.pending_entry(unique_address()) for _ in range(3)]
    confirmed = service.pending_entry(unique_address())
    with database.engine.connect() as connection:
        payload = connection.execute(
            sa.select(outbox.c.payload).where(outbox.c.entry_id == confirmed.id)
        ).scalar_one()
    service.confirm_entry(json.loads(payload)["confirm_url"].rsplit("/", 1)[1])
    clock.now += POLICY.ttl - timedelta(minutes=1)
    fresh = service.pending_entry(unique_address())
    clock.now += timedelta(minutes=2)

    assert earliest_expiry(database) == expired[0].expires_at
    assert [service.expire_pending_entries(batch_size=2) for _ in range(3)] == [2, 1, 0]

    with database.engine.connect() as connection:
        kept = set(connection.scalars(sa.select(entries.c.id)))
        rows = connection.execute(sa.select(outbox.c.event_type, outbox.c.entry_id)).all()
    assert kept == {confirmed.id, fresh.id}
    erased = {entry.id for entry in expired}
    assert {entry_id for kind, entry_id in rows if kind == "EntryErased"} == erased
    # nothing else about them is left: their confirmation requests went with them
    assert not [kind for kind, entry_id in rows if entry_id in erased and kind != "EntryErased"]
    assert earliest_expiry(database) == fresh.expires_at


def test_one_process_at_a_time_holds_the_fleet_lock(fresh_postgres_url):
    first, second = migrated_database(fresh_postgres_url), migrated_database(fresh_postgres_url)
    try:
        with fleet_lock.alone(first, "sweep", seconds=5) as held_first:
            with fleet_lock.alone(second, "sweep", seconds=5) as held_second:
                assert (held_first, held_second) == (True, False)
            with fleet_lock.alone(second, "another job", seconds=5) as held_other:
                assert held_other
        with fleet_lock.alone(second, "sweep", seconds=5) as held_after:
            assert held_after
    finally:
        first.engine.dispose()
        second.engine.dispose()


def test_a_sweep_batch_erases_in_a_few_statements_however_many_entries_it_holds(
    service, database, clock
):
    for _ in range(40):
        service.pending_entry(unique_address())
    clock.now += POLICY.ttl + timedelta(minutes=1)
    statements = []
    sa.event.listen(
        database.engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, *args: statements.append(statement),
    )

    assert service.expire_pending_entries(batch_size=40) == 40

    # the read, the two deletes and the events' insert: a round trip each, not one per entry
    writes = [s for s in statements if s.lstrip().upper().startswith(("DELETE", "INSERT"))]
    assert len(writes) <= 3, writes
