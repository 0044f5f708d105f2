"""Composing the confirmation and welcome mails."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from welcome.domain.confirmation_message import CONFIRMATION_SUBJECT, compose_confirmation
from welcome.domain.confirmation_notice import ConfirmationNotice
from welcome.domain.registration_notice import RegistrationNotice
from welcome.domain.welcome_message import WELCOME_SUBJECT, compose_welcome

pytestmark = pytest.mark.unit

NOTICE = RegistrationNotice(
    event_id="3f1c8a52-9a43-4a57-bd0e-7f1f1f0f6f11",
    entry_id="0b5e2d7c-1a3f-4b8e-9c6d-2e4f6a8b0c1d",
    email="alice@example.com",
    registered_at=datetime(2026, 11, 29, 0, 41, 7, tzinfo=UTC),
    erase_url="https://signup.example.org/erase/t0ken",
    request_id="req-42",
)
REQUEST = ConfirmationNotice(
    event_id="9d0c6c1e-3b1f-4a57-8e0e-1f1f1f0f6f22",
    entry_id=NOTICE.entry_id,
    email="alice@example.com",
    confirm_url="https://signup.example.org/confirm/c0nfirm",
    erase_url="https://signup.example.org/erase/t0ken",
    expires_at=datetime(2026, 12, 1, 2, 41, 7, tzinfo=timezone(timedelta(hours=2))),
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


def test_the_welcome_offers_the_erasure_link_in_its_body_and_as_its_unsubscribe_link():
    message = compose_welcome(NOTICE)

    assert NOTICE.erase_url in message.body
    assert message.erase_url == NOTICE.erase_url


def test_a_welcome_of_an_event_without_links_has_none():
    message = compose_welcome(replace(NOTICE, erase_url=None))

    assert message.erase_url is None
    assert "http" not in message.body


def test_the_confirmation_mail_holds_both_links_and_when_the_first_expires_in_utc():
    message = compose_confirmation(REQUEST)

    assert (message.recipient, message.subject) == ("alice@example.com", CONFIRMATION_SUBJECT)
    assert REQUEST.confirm_url in message.body
    assert REQUEST.erase_url in message.body
    assert "2026-12-01 00:41 UTC" in message.body
    assert (message.erase_url, message.event_id) == (REQUEST.erase_url, REQUEST.event_id)
