"""Work that one replica at a time does for the whole fleet (the expiry sweep): it runs under a
PostgreSQL advisory lock, which a replica that dies or is cut off loses with its session."""

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from registration.adapters.sql.database import Database

_TRY_LOCK = sa.text("SELECT pg_try_advisory_lock(:key)")
_UNLOCK = sa.text("SELECT pg_advisory_unlock(:key)")


@contextmanager
def alone(database: Database, name: str, seconds: float) -> Iterator[bool]:
    """Whether this process holds the fleet's lock called `name` for the block (another replica
    holds it otherwise, and the block should skip its work); the block may take `seconds`, past
    them it fails as unavailable. SQLite has one process."""
    if not database.is_postgres:
        yield True
        return
    key = zlib.crc32(f"registration.{name}".encode())
    with database.connection(timeout_seconds=seconds) as connection:
        held = bool(connection.execute(_TRY_LOCK, {"key": key}).scalar())
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(_UNLOCK, {"key": key})
                connection.commit()
