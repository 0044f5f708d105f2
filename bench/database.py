"""A PostgreSQL database that exists for one benchmark run only."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
from sqlalchemy.engine import make_url

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def temporary_database(admin_url: str = ADMIN_URL) -> Iterator[str]:
    """Creates bench_<uuid>, yields its URL and drops it on the way out, whatever happened."""
    url = make_url(admin_url)
    name = f"bench_{uuid.uuid4().hex}"
    _execute(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        # FORCE: a service we failed to stop must not keep the database alive
        _execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _execute(admin_url: str, statement: str) -> None:
    connection = psycopg2.connect(admin_url)
    try:
        connection.autocommit = True  # CREATE/DROP DATABASE cannot run inside a transaction
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def create_fastapi_schema(database_url: str) -> None:
    """The FastAPI peer's table, made once before its workers start."""
    from bench.fastapi_peer import SCHEMA

    _execute(database_url, SCHEMA)
