"""How far the expiry sweep is behind: the expiry of the longest-expired pending entry (read
from the partial index of pending entries, so it costs the same however many are confirmed)."""

from datetime import datetime

import sqlalchemy as sa

from registration.adapters.sql.database import Database
from registration.adapters.sql.schema import entries
from registration.adapters.sql.times import as_utc

_EARLIEST_EXPIRY = sa.select(sa.func.min(entries.c.expires_at)).where(
    entries.c.expires_at.is_not(None)
)


def earliest_expiry(database: Database) -> datetime | None:
    with database.connection() as connection:
        earliest = connection.execute(_EARLIEST_EXPIRY).scalar()
    return None if earliest is None else as_utc(earliest)
