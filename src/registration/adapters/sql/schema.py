"""The tables, and what each one's row holds by column name: a column is added to its table
here, in its migration, and in the row functions below (a test checks each against its table).

Both writers (one transaction through SQLAlchemy, and the group commit's prepared statement)
build their rows here.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from registration.adapters.sql.times import as_utc
from registration.domain.email import Email
from registration.domain.entry import Entry

if TYPE_CHECKING:
    from registration.adapters.sql.outbox_rows import OutboxMessage

metadata = sa.MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigSerial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# The one rule that makes two registrations the same address; its violation means a duplicate.
EMAIL_UNIQUE_CONSTRAINT = "uq_entries_email_key"

entries = sa.Table(
    "entries",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("email", sa.Text(), nullable=False),
    # Case-folded normalized address: the uniqueness rule lives in the database, race-free.
    sa.Column("email_key", sa.Text(), nullable=False),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    # Set while pending: the expiry sweep erases the entry past it.
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    # When its owner confirmed it (the record of consent); NULL while pending.
    sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
    # The last day's confirmation mails, ISO 8601 times separated by spaces: what bounds the next.
    sa.Column("mailed_at", sa.Text(), nullable=True),
    # Grows with every change: an update stored over another version is refused.
    sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    sa.UniqueConstraint("email_key", name=EMAIL_UNIQUE_CONSTRAINT),
    # Only pending entries: the sweep finds the expired ones however many are confirmed.
    sa.Index(
        "ix_entries_pending_expiry",
        "expires_at",
        postgresql_where=sa.text("expires_at IS NOT NULL"),
        sqlite_where=sa.text("expires_at IS NOT NULL"),
    ),
)

outbox = sa.Table(
    "outbox",
    metadata,
    # Order of creation; the relay publishes in this order.
    sa.Column("seq", BigSerial, primary_key=True, autoincrement=True),
    # A uuid4 made with the event: unique by construction, so no index pays for it on every
    # insert and every update of the relay.
    sa.Column("event_id", sa.Uuid(), nullable=False),
    sa.Column("event_type", sa.Text(), nullable=False),
    # The exact JSON text that goes on the wire.
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Column("request_id", sa.Text(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    # The entry the event is about: an erasure deletes that entry's rows, pending or published.
    sa.Column("entry_id", sa.Uuid(), nullable=True),
    # Only pending rows: the relay's scan stays small however many events were ever sent.
    sa.Index(
        "ix_outbox_pending",
        "seq",
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    ),
    # Replay by time range, and pruning, walk this.
    sa.Index("ix_outbox_created_at", "created_at"),
    sa.Index("ix_outbox_entry_id", "entry_id"),
)


# --- rows ----------------------------------------------------------------------------------
# Filled in later, not by the row's writer: the sequence by the database, the time by the relay.
_NOT_WRITTEN_ON_INSERT = {outbox.c.seq.name, outbox.c.published_at.name}

ENTRY_COLUMNS: tuple[sa.Column[Any], ...] = tuple(entries.columns)
OUTBOX_COLUMNS: tuple[sa.Column[Any], ...] = tuple(
    column for column in outbox.columns if column.name not in _NOT_WRITTEN_ON_INSERT
)


ENTRY_NAMES = tuple(column.name for column in ENTRY_COLUMNS)
OUTBOX_NAMES = tuple(column.name for column in OUTBOX_COLUMNS)


def entry_values(entry: Entry) -> tuple[Any, ...]:
    """A new entry's row, in the order of ENTRY_COLUMNS (tuples: the group commit's hot path)."""
    return (
        entry.id,
        entry.email.value,
        entry.email.key,
        entry.registered_at,
        entry.expires_at,
        entry.confirmed_at,
        " ".join(sent.isoformat() for sent in entry.mailed_at) or None,
        entry.version,
    )


def outbox_values(message: "OutboxMessage") -> tuple[Any, ...]:
    """A new outbox row, in the order of OUTBOX_COLUMNS."""
    return (
        message.event_id,
        message.event_type,
        message.payload,
        message.request_id,
        message.created_at,
        message.entry_id,
    )


def entry_from_row(row: Any) -> Entry:
    """An entry read back from a row of ENTRY_COLUMNS (SQLite hands back naive UTC times)."""
    return Entry(
        id=row.id,
        email=Email(row.email),
        registered_at=as_utc(row.registered_at),
        expires_at=None if row.expires_at is None else as_utc(row.expires_at),
        confirmed_at=None if row.confirmed_at is None else as_utc(row.confirmed_at),
        mailed_at=tuple(datetime.fromisoformat(sent) for sent in (row.mailed_at or "").split()),
        version=row.version,
    )


def entry_row(entry: Entry) -> dict[str, Any]:
    return dict(zip(ENTRY_NAMES, entry_values(entry), strict=True))


def outbox_row(message: "OutboxMessage") -> dict[str, Any]:
    return dict(zip(OUTBOX_NAMES, outbox_values(message), strict=True))
