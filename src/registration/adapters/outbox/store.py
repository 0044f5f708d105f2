from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import sqlalchemy as sa

from registration.adapters.sql.database import Database
from registration.adapters.sql.outbox_rows import PENDING_COLUMNS as _COLUMNS
from registration.adapters.sql.outbox_rows import PendingMessage
from registration.adapters.sql.postgres.outbox_claim import claim_prepared
from registration.adapters.sql.schema import outbox
from registration.adapters.sql.times import as_utc

# Built once: constructing and keying a statement like this costs more CPU than running it.
_CLAIM = (
    outbox.update()
    .where(
        outbox.c.seq.in_(
            sa.select(outbox.c.seq)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.seq)
            .limit(sa.bindparam("limit", type_=sa.Integer))
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
    )
    .values(published_at=sa.func.now())
    .returning(*_COLUMNS)
)
_STATUS = sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(
    outbox.c.published_at.is_(None)
)


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    oldest_pending_created_at: datetime | None

    def oldest_pending_age_seconds(self, now: datetime) -> float:
        if self.oldest_pending_created_at is None:
            return 0.0
        return max(0.0, (now - as_utc(self.oldest_pending_created_at)).total_seconds())


class OutboxStore:
    def __init__(self, database: Database, claim_timeout_seconds: float = 30.0) -> None:
        self.database = database
        self._claim_timeout = claim_timeout_seconds

    @contextmanager
    def claim_pending(self, limit: int) -> Iterator[list[PendingMessage]]:
        """The oldest pending messages, marked published in a transaction that commits only
        when the block ends normally (after the broker confirmed them).

        On any error the transaction rolls back: they stay pending and go out again later with
        the same event_id. Rows another relay has claimed are skipped, not waited for. Claiming
        and marking is one statement: the relay's cost per round is BEGIN, UPDATE, COMMIT.
        """
        with (
            self.database.connection(timeout_seconds=self._claim_timeout) as connection,
            connection.begin(),
        ):
            if self.database.is_postgres:
                rows = claim_prepared(connection.connection, limit)
            else:
                rows = connection.execute(_CLAIM, {"limit": limit}).all()
            yield sorted((_pending(*row) for row in rows), key=lambda m: m.seq)

    def status(self) -> OutboxStatus:
        with self.database.connection() as connection:
            pending, oldest = connection.execute(_STATUS).one()
        return OutboxStatus(pending=pending, oldest_pending_created_at=oldest)

    def prune_published(self, retention: timedelta, batch_size: int = 5000) -> int:
        """Delete one batch of published rows created longer ago than the retention; returns how
        many went (fewer than `batch_size`: none is left). One short transaction per call, so
        the caller decides how long to go on and rests between batches.

        Pending rows are never pruned, however old. Rows an erasure holds are skipped, not
        waited for: the batch fills with others, so it comes back short only when none is left.
        """
        cutoff = datetime.now(UTC) - retention
        doomed = (
            sa.select(outbox.c.seq)
            .where(outbox.c.created_at < cutoff, outbox.c.published_at.is_not(None))
            .order_by(outbox.c.created_at)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        with self.database.connection() as connection, connection.begin():
            return connection.execute(outbox.delete().where(outbox.c.seq.in_(doomed))).rowcount  # type: ignore[no-any-return]

    def stored_between(
        self, start: datetime, end: datetime, page_size: int = 500
    ) -> Iterator[PendingMessage]:
        """Every stored message created in [start, end), oldest first, page by page."""
        after = 0
        while True:
            query = (
                sa.select(*_COLUMNS)
                .where(
                    outbox.c.created_at >= start, outbox.c.created_at < end, outbox.c.seq > after
                )
                .order_by(outbox.c.seq)
                .limit(page_size)
            )
            with self.database.connection() as connection:
                page = [_pending(*row) for row in connection.execute(query)]
            yield from page
            if len(page) < page_size:
                return
            after = page[-1].seq


def _pending(
    seq: int,
    event_id: UUID | str,
    event_type: str,
    payload: str,
    request_id: str | None,
    created_at: datetime,
) -> PendingMessage:
    return PendingMessage(
        seq=seq,
        # psycopg2 hands a uuid column over as text; SQLAlchemy's Uuid type as a UUID
        event_id=event_id if isinstance(event_id, UUID) else UUID(event_id),
        event_type=event_type,
        payload=payload,
        request_id=request_id,
        created_at=as_utc(created_at),
    )
