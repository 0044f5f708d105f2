"""PostgreSQL sessions of one database, seen and ended from outside the service (never through a
test's proxy): what a restart, a failover or an idle-connection reaper does to a pool."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
from sqlalchemy.engine import make_url


@contextmanager
def admin_cursor(database_url: str) -> Iterator[psycopg2.extensions.cursor]:
    parts = make_url(database_url)
    connection = psycopg2.connect(
        host=parts.host, port=parts.port or 5432, user=parts.username, dbname=parts.database
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def other_sessions(database_url: str, state: str | None = None) -> list[int]:
    """The pids of the database's other sessions, of one `pg_stat_activity.state` if given."""
    with admin_cursor(database_url) as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND (%s IS NULL OR state = %s)",
            (state, state),
        )
        return [pid for (pid,) in cursor.fetchall()]


def terminate_every_session(database_url: str, timeout: float = 10.0) -> int:
    """End every other session of the database and wait until they are gone; how many."""
    pids = other_sessions(database_url)
    with admin_cursor(database_url) as cursor:
        for pid in pids:
            cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
    deadline = time.monotonic() + timeout
    while set(pids) & set(other_sessions(database_url)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(pids)
