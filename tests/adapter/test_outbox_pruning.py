"""Pruning the outbox against each database: a chore of its own, in bounded batches, one replica
at a time, never done by the relay."""

import threading
import time
from datetime import timedelta
from functools import partial
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from registration.adapters.outbox.publisher import OutboxEventPublisher
from registration.adapters.outbox.relay import OutboxRelay
from registration.adapters.outbox.store import OutboxStore
from registration.adapters.sql import fleet_lock
from registration.adapters.sql.schema import outbox
from registration.adapters.sql.unit_of_work import SqlUnitOfWork
from registration.domain.events import utc_now
from registration.entrypoints import pruning
from tests.support.databases import migrated_database, unique_address
from tests.support.registration.recording_sink import RecordingSink
from tests.support.registration.use_cases import UseCases

pytestmark = pytest.mark.adapter

RETENTION = timedelta(hours=1)


def _app(database):
    """What the prune needs of the composition root: the retention, the store, the fleet lock."""
    return SimpleNamespace(
        settings=SimpleNamespace(outbox_retention=RETENTION),
        outbox=OutboxStore(database),
        alone=partial(fleet_lock.alone, database),
    )


def _published_rows(database, count, age):
    """`count` entries whose events went out `age` ago."""
    uow = partial(SqlUnitOfWork, database, OutboxEventPublisher, lambda changes: None)
    service = UseCases(uow, utc_now)
    for _ in range(count):
        service.pending_entry(unique_address())
    OutboxRelay(OutboxStore(database), RecordingSink()).relay_pending()
    with database.engine.begin() as connection:
        connection.execute(
            outbox.update()
            .where(outbox.c.published_at.is_not(None))
            .values(created_at=utc_now() - age)
        )


def _stored(database):
    with database.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(outbox))


class CountingStore(OutboxStore):
    def __init__(self, database):
        super().__init__(database)
        self.batches = []

    def prune_published(self, retention, batch_size=5000):
        self.batches.append(super().prune_published(retention, batch_size))
        return self.batches[-1]


def test_a_round_prunes_every_expired_row_in_bounded_batches(database, monkeypatch):
    _published_rows(database, 7, age=RETENTION * 2)
    monkeypatch.setattr(pruning, "BATCH_SIZE", 3)
    app = _app(database)
    app.outbox = CountingStore(database)

    pruning.prune_outbox(app)

    assert app.outbox.batches == [3, 3, 1]
    assert _stored(database) == 0


def test_rows_within_the_retention_and_pending_rows_stay(database):
    _published_rows(database, 2, age=RETENTION / 2)
    uow = partial(SqlUnitOfWork, database, OutboxEventPublisher, lambda changes: None)
    UseCases(uow, utc_now).pending_entry(unique_address())  # pending, never relayed
    with database.engine.begin() as connection:
        connection.execute(
            outbox.update()
            .values(created_at=utc_now() - RETENTION * 3)
            .where(outbox.c.published_at.is_(None))
        )

    pruning.prune_outbox(_app(database))

    assert _stored(database) == 3


def test_a_round_past_its_budget_leaves_the_rest_to_the_next(database, monkeypatch):
    _published_rows(database, 5, age=RETENTION * 2)
    monkeypatch.setattr(pruning, "BATCH_SIZE", 2)
    monkeypatch.setattr(pruning, "ROUND_BUDGET_SECONDS", 0.0)

    pruning.prune_outbox(_app(database))
    assert _stored(database) == 3

    pruning.prune_outbox(_app(database))
    assert _stored(database) == 1


def test_a_replica_prunes_nothing_while_another_holds_the_prune(fresh_postgres_url):
    first, second = migrated_database(fresh_postgres_url), migrated_database(fresh_postgres_url)
    try:
        _published_rows(second, 3, age=RETENTION * 2)
        with fleet_lock.alone(first, "outbox-prune", seconds=5) as held:
            assert held
            pruning.prune_outbox(_app(second))
            assert _stored(second) == 3
        pruning.prune_outbox(_app(second))
        assert _stored(second) == 0
    finally:
        first.engine.dispose()
        second.engine.dispose()


def test_rows_an_erasure_holds_neither_stall_nor_shorten_a_round(fresh_postgres_url, monkeypatch):
    database = migrated_database(fresh_postgres_url)
    try:
        _published_rows(database, 7, age=RETENTION * 2)
        monkeypatch.setattr(pruning, "BATCH_SIZE", 3)
        app = _app(database)
        app.outbox = CountingStore(database)
        with database.engine.connect() as erasure, erasure.begin():
            oldest = sa.select(sa.func.min(outbox.c.seq)).scalar_subquery()
            erasure.execute(outbox.delete().where(outbox.c.seq == oldest))  # held, uncommitted

            rounds = threading.Thread(target=pruning.prune_outbox, args=(app,))
            rounds.start()
            rounds.join(10)
            assert not rounds.is_alive(), "the prune waited for the erasure's lock"

        assert app.outbox.batches == [3, 3, 0]
        assert _stored(database) == 0
    finally:
        database.engine.dispose()


def test_the_relay_publishes_and_never_prunes(database):
    _published_rows(database, 3, age=timedelta(days=365))
    relay = OutboxRelay(OutboxStore(database), RecordingSink(), poll_seconds=0.01)
    running = threading.Thread(target=relay.run)
    running.start()
    time.sleep(0.3)  # many rounds
    relay.stop()
    running.join(5)

    assert relay.state.last_error is None and relay.state.last_success_at is not None
    assert _stored(database) == 3
