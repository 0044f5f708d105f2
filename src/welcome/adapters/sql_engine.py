"""The subscriber's own database (WELCOME_DATABASE_URL): an engine sized to the worker count."""

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url


def create_inbox_engine(url: str, pool_size: int) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "psycopg2":
        # psycopg2 would block the whole eventlet hub while it waits for the server.
        from psycogreen.eventlet import patch_psycopg

        patch_psycopg()
        # One connection per concurrent worker: a smaller pool makes workers queue for it.
        return create_engine(parsed, pool_size=pool_size, max_overflow=0, pool_pre_ping=True)
    return create_engine(parsed, pool_pre_ping=True)
