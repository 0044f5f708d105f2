"""A registration answered 503 must leave no trace: no event (no confirmation mail for a sign-up
the client was told failed), and no entry (its retry would count as a sign-up again, held to the
limits on re-sent mails). Here the database commits the insert after the service stopped waiting."""

import contextlib
import time

import psycopg2
import pytest
import requests
from sqlalchemy.engine import make_url

from tests.support.fault.figures import print_summary
from tests.support.fault.known_issues import AnnouncedAfter503

pytestmark = pytest.mark.fault

BEYOND_THE_DEADLINE_SECONDS = 4.5  # the service waits DATABASE_TIMEOUT_SECONDS (3) per call


def test_a_registration_answered_503_is_not_announced_when_the_database_commits_it_late(stack):
    email = f"{stack.email_prefix}late@example.com"
    with inserts_held_back(stack.database_url):
        started = time.monotonic()
        response = requests.post(
            f"{stack.service.base_url}/register", json={"email": email}, timeout=10
        )
        answered_after = time.monotonic() - started
        time.sleep(max(0.0, BEYOND_THE_DEADLINE_SECONDS - answered_after))

    stored = stack.stored_once_relayed()
    entry_stored = email in stored.addresses()
    if entry_stored:  # an entry left behind is announced: give its event the time to arrive
        stack.events.wait_for_addresses({email}, timeout=10)
    announced = [e for e in stack.events.events if e.email == email]
    retry = requests.post(f"{stack.service.base_url}/register", json={"email": email}, timeout=10)
    print_summary(
        "unknown_commit_outcome",
        {
            "status": response.status_code,
            "answered_after_ms": round(answered_after * 1000, 1),
            "entry_stored": entry_stored,
            "events": len(announced),
            "retry_status": retry.status_code,
        },
    )

    assert response.status_code == 503, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    if announced or entry_stored:
        raise AnnouncedAfter503(f"answered 503, yet stored={entry_stored}, events={announced}")


@contextlib.contextmanager
def inserts_held_back(database_url: str):
    """Hold a lock that makes every insert into `entries` wait until the block ends."""
    url = make_url(database_url)
    connection = psycopg2.connect(
        host=url.host, port=url.port or 5432, user=url.username, dbname=url.database
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE entries IN SHARE ROW EXCLUSIVE MODE")
        yield
    finally:
        connection.rollback()
        connection.close()
