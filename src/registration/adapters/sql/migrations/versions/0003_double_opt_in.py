"""Entries wait for their owner's confirmation (double opt-in); those stored before are confirmed.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entries") as entries:
        entries.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        entries.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        entries.add_column(sa.Column("mailed_at", sa.Text(), nullable=True))
        entries.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    # Nobody registered before double opt-in existed is expired: they count as confirmed then.
    op.execute("UPDATE entries SET confirmed_at = registered_at WHERE confirmed_at IS NULL")
    op.create_index(
        "ix_entries_pending_expiry",
        "entries",
        ["expires_at"],
        postgresql_where=sa.text("expires_at IS NOT NULL"),
        sqlite_where=sa.text("expires_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_entries_pending_expiry", "entries")
    with op.batch_alter_table("entries") as entries:
        for column in ("version", "mailed_at", "confirmed_at", "expires_at"):
            entries.drop_column(column)
