"""Composing the welcome mail, and masking addresses for logs."""

from datetime import UTC, datetime

import pytest

from welcome.domain.email_masking import mask_address, mask_addresses_in
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


def test_a_masked_address_keeps_the_first_letter_and_the_domain_only():
    assert mask_address("alice@example.com") == "a***@example.com"


def test_something_without_an_at_sign_is_masked_entirely():
    assert mask_address("alice") == "***"


def test_addresses_inside_a_text_are_masked():
    text = "550 5.1.1 <bob.smith@example.org>: Recipient address rejected"

    masked = mask_addresses_in(text)

    assert "bob.smith@example.org" not in masked
    assert "b***@example.org" in masked
    assert masked.startswith("550 5.1.1 <")
