import sqlalchemy as sa

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
    sa.UniqueConstraint("email_key", name=EMAIL_UNIQUE_CONSTRAINT),
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
