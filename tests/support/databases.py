"""PostgreSQL databases for tests: a fresh, empty one, and the registration service's `Database`
on a migrated one.

conftest's `fresh_postgres_url` is per test; modules that share one running service (starting
and stopping a nameko container costs about a second) take theirs from `fresh_postgres_database`.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg2
from sqlalchemy.engine import make_url

from registration.adapters.sql.database import Database
from registration.adapters.sql.engine import make_green_engine
from registration.adapters.sql.migrate import upgrade_to_head

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def fresh_postgres_database(created: bool = True) -> Iterator[str]:
    """A database of its own, dropped afterwards; `created=False`: only its name, for whatever
    creates it."""
    admin_url = make_url(POSTGRES_URL)
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = psycopg2.connect(
        host=admin_url.host,
        port=admin_url.port or 5432,
        user=admin_url.username,
        dbname=admin_url.database,
    )
    admin.autocommit = True
    if created:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def migrated_database(url: str, timeout_seconds: float = 3.0) -> Database:
    upgrade_to_head(url)
    return Database(
        make_green_engine(url, pool_size=12, timeout_seconds=timeout_seconds), timeout_seconds
    )


def unique_address(prefix: str = "someone") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def now() -> datetime:
    return datetime.now(UTC)
