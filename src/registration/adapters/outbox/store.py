from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from registration.adapters.outbox.message import PendingMessage
from registration.adapters.sql.database import Database, as_utc
from registration.adapters.sql.schema import outbox

_COLUMNS = (
    outbox.c.seq,
    outbox.c.event_id,
    outbox.c.event_type,
    outbox.c.payload,
    outbox.c.request_id,
    outbox.c.created_at,
)


@dataclass
class Claim:
    """Pending messages locked for one relay until its transaction ends."""

    messages: list[PendingMessage]
    published: list[int] = field(default_factory=list)

    def mark_published(self, messages: list[PendingMessage]) -> None:
        self.published.extend(m.seq for m in messages)


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
        self._database = database
        self._claim_timeout = claim_timeout_seconds

    @contextmanager
    def claim_pending(self, limit: int) -> Iterator[Claim]:
        """Lock the oldest pending rows; rows another relay holds are skipped, not waited for.

        Rows are marked published when the block ends normally; on any error the transaction
        rolls back and they stay pending, to be published again with the same event_id.
        """
        query = (
            sa.select(*_COLUMNS)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.seq)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        with (
            self._database.connection(timeout_seconds=self._claim_timeout) as connection,
            connection.begin(),
        ):
            claim = Claim([_pending(row) for row in connection.execute(query)])
            yield claim
            if claim.published:
                connection.execute(
                    outbox.update()
                    .where(outbox.c.seq.in_(claim.published))
                    .values(published_at=datetime.now(UTC))
                )

    def status(self) -> OutboxStatus:
        query = sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(
            outbox.c.published_at.is_(None)
        )
        with self._database.connection() as connection:
            pending, oldest = connection.execute(query).one()
        return OutboxStatus(pending=pending, oldest_pending_created_at=oldest)

    def prune_published(self, retention: timedelta, batch_size: int = 5000) -> int:
        """Delete rows published longer ago than the retention, a batch at a time."""
        cutoff = datetime.now(UTC) - retention
        doomed = (
            sa.select(outbox.c.seq)
            .where(outbox.c.published_at < cutoff)
            .order_by(outbox.c.seq)
            .limit(batch_size)
            .scalar_subquery()
        )
        removed = 0
        while True:
            with self._database.connection() as connection, connection.begin():
                count = connection.execute(outbox.delete().where(outbox.c.seq.in_(doomed))).rowcount
            removed += count
            if count < batch_size:
                return removed

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
            with self._database.connection() as connection:
                page = [_pending(row) for row in connection.execute(query)]
            yield from page
            if len(page) < page_size:
                return
            after = page[-1].seq


def _pending(row: sa.Row) -> PendingMessage:  # type: ignore[type-arg]
    return PendingMessage(
        seq=row.seq,
        event_id=row.event_id,
        event_type=row.event_type,
        payload=row.payload,
        request_id=row.request_id,
        created_at=as_utc(row.created_at),
    )
