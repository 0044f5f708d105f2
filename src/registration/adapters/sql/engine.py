from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from registration.adapters.sql.postgres.stale_connections import (
    discard_connections_the_server_closed,
)


def make_green_engine(
    database_url: str,
    pool_size: int,
    timeout_seconds: float,
    idle_in_transaction_seconds: float = 10.0,
) -> sa.Engine:
    """An engine whose pool holds one connection per worker, bounded waits, eventlet-friendly.

    `idle_in_transaction_seconds` bounds, on the server's side, how long a session may hold a
    transaction open without sending anything: the relay's claim on a batch while it publishes.
    A frozen or cut-off process cannot release its locks itself; PostgreSQL then does.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": timeout_seconds}
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    psycopg2 = url.get_driver_name() in ("psycopg2", "")
    if psycopg2:
        _make_psycopg2_green()
    engine = sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=2,
        pool_timeout=timeout_seconds,
        pool_recycle=3600,
        connect_args={
            "connect_timeout": max(1, int(timeout_seconds)),
            "application_name": "nameko_registration_service",
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 2,
            "keepalives_count": 3,
            "options": _session_options(
                # The server gives up on a statement before the service gives up waiting for it:
                # a write stuck behind a lock then fails for sure instead of committing after
                # the client was told 503.
                statement_timeout=max(100, int(timeout_seconds * 1000) - 500),
                idle_in_transaction_session_timeout=int(idle_in_transaction_seconds * 1000),
                # The server's side of a silent peer (a host cut off without a FIN): its session
                # ends within about a minute instead of PostgreSQL's default two hours.
                tcp_keepalives_idle=30,
                tcp_keepalives_interval=10,
                tcp_keepalives_count=3,
            ),
        },
    )
    if psycopg2:
        discard_connections_the_server_closed(engine)
    return engine


def _session_options(**settings: int) -> str:
    return " ".join(f"-c {name}={value}" for name, value in settings.items())


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _make_psycopg2_green() -> None:
    # Without this psycopg2 blocks the whole eventlet hub during every query.
    from psycogreen.eventlet import patch_psycopg

    patch_psycopg()
