"""Composing the welcome mail."""

from datetime import UTC, datetime

import pytest

from welcome.domain.registration_notice import RegistrationNotice
from welcome.domain.welcome_message import WELCOME_SUBJECT, compose_welcome

pytestmark = pytest.mark.unit

NOTICE = RegistrationNotice(
    event_id="3f1c8a52-9a43-4a57-bd0e-7f1f1f0f6f11",
    entry_id="0b5e2d7c-1a3f-4b8e-9c6d-2e4f6a8b0c1d",
    email="alice@example.com",
    registered_at=datetime(2026, 11, 29, 0, 41, 7, tzinfo=UTC),
    request_id="req-42",
)


def test_the_welcome_goes_to_the_registered_address_with_the_welcome_subject():
    message = compose_welcome(NOTICE)

    assert message.recipient == "alice@example.com"
    assert message.subject == WELCOME_SUBJECT


def test_the_welcome_names_the_registration_number_and_date():
    body = compose_welcome(NOTICE).body

    assert NOTICE.entry_id in body
    assert "2026-11-29" in body


def test_the_welcome_keeps_the_event_and_request_ids():
    message = compose_welcome(NOTICE)

    assert (message.event_id, message.request_id) == (NOTICE.event_id, "req-42")
