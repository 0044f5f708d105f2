"""A PostgreSQL database named in DATABASE_URL is created when missing, or named in one line."""

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from service_kit.database_creation import DatabaseUnavailable, ensure_database_exists
from tests.support.databases import POSTGRES_URL

pytestmark = pytest.mark.adapter

REPLICAS = 3


def _admin():
    url = make_url(POSTGRES_URL)
    connection = psycopg2.connect(
        host=url.host, port=url.port or 5432, user=url.username, dbname=url.database
    )
    connection.autocommit = True
    return connection


def _exists(name: str) -> bool:
    with _admin() as admin, admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return cursor.fetchone() is not None


@pytest.fixture
def missing_database() -> Iterator[str]:
    name = f"t_missing_{uuid.uuid4().hex[:12]}"
    yield name
    admin = _admin()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def role_without_createdb() -> Iterator[str]:
    role = f"t_role_{uuid.uuid4().hex[:12]}"
    admin = _admin()
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" LOGIN NOCREATEDB')
    yield role
    with admin.cursor() as cursor:
        cursor.execute(f'DROP ROLE IF EXISTS "{role}"')
    admin.close()


def test_a_missing_database_is_created(missing_database):
    url = make_url(POSTGRES_URL).set(database=missing_database)

    ensure_database_exists(url.render_as_string(hide_password=False))

    assert _exists(missing_database)


def test_an_existing_database_is_left_as_it_is():
    ensure_database_exists(POSTGRES_URL)

    assert _exists(make_url(POSTGRES_URL).database)


def test_one_that_cannot_be_created_is_named_in_one_line(missing_database, role_without_createdb):
    url = make_url(POSTGRES_URL).set(database=missing_database, username=role_without_createdb)

    with pytest.raises(DatabaseUnavailable) as raised:
        ensure_database_exists(url.render_as_string(hide_password=False))

    message = str(raised.value)
    assert repr(missing_database) in message
    assert "\n" not in message
    assert not _exists(missing_database)


def test_replicas_creating_it_at_the_same_moment_all_succeed(missing_database):
    # Three pods starting at once: the losers of the race see either "already exists" or a
    # unique violation on pg_database, depending on how close they came.
    url = make_url(POSTGRES_URL).set(database=missing_database).render_as_string(False)
    start = threading.Barrier(REPLICAS)

    def replica() -> None:
        start.wait()
        ensure_database_exists(url)

    with ThreadPoolExecutor(REPLICAS) as pool:
        results = [pool.submit(replica) for _ in range(REPLICAS)]
        errors = [result.exception() for result in results]

    assert errors == [None] * REPLICAS
    assert _exists(missing_database)
