"""The relay's claim on PostgreSQL, prepared once per connection: the same statement as the
general one in `adapters/outbox/store.py`, without planning it anew every round."""

from typing import Any

from sqlalchemy.pool import PoolProxiedConnection

from registration.adapters.sql.outbox_rows import PENDING_COLUMNS
from registration.adapters.sql.postgres.prepared import PreparedStatement, execute_prepared

_CLAIM = PreparedStatement(
    "outbox_claim",
    ("int",),
    """
UPDATE outbox SET published_at = now()
WHERE seq IN (
    SELECT seq FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1
    FOR UPDATE SKIP LOCKED
)
RETURNING """
    + ", ".join(c.name for c in PENDING_COLUMNS),
)


def claim_prepared(connection: PoolProxiedConnection, limit: int) -> list[tuple[Any, ...]]:
    """Claim up to `limit` pending rows in the connection's transaction; their columns back."""
    return execute_prepared(connection, _CLAIM, [limit])
