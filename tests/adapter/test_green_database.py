"""Database calls must yield to the eventlet hub, or one slow query stalls every request."""

import time

import eventlet
import pytest

from tests.support.databases import migrated_database

pytestmark = pytest.mark.adapter


def test_slow_postgresql_calls_from_green_threads_overlap(fresh_postgres_url):
    database = migrated_database(fresh_postgres_url)
    spans = []

    def slow_query():
        with database.connection() as connection:
            started = time.monotonic()
            connection.exec_driver_sql("SELECT pg_sleep(0.3)")
            spans.append((started, time.monotonic()))

    pool = eventlet.GreenPool(5)
    for _ in range(5):
        pool.spawn(slow_query)
    pool.waitall()
    database.engine.dispose()

    # Overlap, not speed: every call started before the first one finished. Serialized calls
    # (a blocked hub) would each start only after the previous one ended.
    first_end = min(end for _, end in spans)
    assert len(spans) == 5
    assert all(start < first_end for start, _ in spans)
