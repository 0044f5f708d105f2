"""A fresh PostgreSQL database for a whole test module.

conftest's `fresh_postgres_url` is per test; modules that share one running service (starting
and stopping a nameko container costs about a second) take theirs from here instead.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    admin_url = make_url(POSTGRES_URL)
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = psycopg2.connect(
        host=admin_url.host,
        port=admin_url.port or 5432,
        user=admin_url.username,
        dbname=admin_url.database,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
