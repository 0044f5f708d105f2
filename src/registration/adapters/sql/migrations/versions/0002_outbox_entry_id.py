"""Outbox rows name the entry they are about, so an erasure can delete them.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as outbox:
        outbox.add_column(sa.Column("entry_id", sa.Uuid(), nullable=True))
    op.create_index("ix_outbox_entry_id", "outbox", ["entry_id"])
    # Rows written before this revision (kept for replay) name their entry in the payload only.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE outbox SET entry_id = (payload::json ->> 'entry_id')::uuid"
            " WHERE entry_id IS NULL AND payload::json ->> 'entry_id' IS NOT NULL"
        )
    else:
        # SQLAlchemy's Uuid stores 32 hex digits on SQLite
        op.execute(
            "UPDATE outbox SET entry_id = replace(json_extract(payload, '$.entry_id'), '-', '')"
            " WHERE entry_id IS NULL AND json_extract(payload, '$.entry_id') IS NOT NULL"
        )


def downgrade() -> None:
    op.drop_index("ix_outbox_entry_id", "outbox")
    with op.batch_alter_table("outbox") as outbox:
        outbox.drop_column("entry_id")
