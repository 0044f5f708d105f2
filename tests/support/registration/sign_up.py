"""Signing up over HTTP as a person does: register, then follow the mailed confirmation link.

The link is read from the outbox, where the service stored the ConfirmationRequested event that
the welcome service would mail.
"""

import json
from typing import Any
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa

from registration.domain.email import Email
from tests.support.auth import operator_headers

_LATEST_CONFIRMATION = sa.text(
    "SELECT o.payload FROM outbox o JOIN entries e ON e.id = o.entry_id"
    " WHERE e.email_key = :key AND o.event_type = 'ConfirmationRequested'"
    " ORDER BY o.seq DESC LIMIT 1"
)


def confirmation_request(database_url: str, email: str) -> dict[str, Any]:
    """The last ConfirmationRequested payload stored for this address."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            payload = connection.execute(
                _LATEST_CONFIRMATION, {"key": Email.parse(email).key}
            ).scalar_one()
    finally:
        engine.dispose()
    return json.loads(payload)  # type: ignore[no-any-return]


def path_of(link: str) -> str:
    return urlsplit(link).path


def follow(session: requests.Session, link: str) -> requests.Response:
    """Press the button of a mailed link's page (the form posts back to the link)."""
    return session.post(path_of(link), data={"List-Unsubscribe": "One-Click"})


def sign_up(session: requests.Session, database_url: str, email: str) -> dict[str, Any]:
    """Register `email` and confirm it: the entry, as `GET /entries/{id}` answers it."""
    answer = session.post("/register", json={"email": email})
    assert answer.status_code == 202, answer.text
    request = confirmation_request(database_url, email)
    confirmed = follow(session, request["confirm_url"])
    assert confirmed.status_code == 200, confirmed.text
    entry = session.get(f"/entries/{request['entry_id']}", headers=operator_headers())
    assert entry.status_code == 200, entry.text
    return entry.json()  # type: ignore[no-any-return]
