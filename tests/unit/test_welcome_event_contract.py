"""Reading inbound payloads: valid ones become notices, anything else is poison."""

import uuid
from datetime import UTC, datetime

import pytest

from welcome.entrypoints.confirmation_requested_event import confirmation_from_payload
from welcome.entrypoints.event_contract import InvalidEvent
from welcome.entrypoints.registered_entry_event import notice_from_payload

pytestmark = pytest.mark.unit


def a_payload(**changes):
    payload = {
        "event_id": "3f1c8a52-9a43-4a57-bd0e-7f1f1f0f6f11",
        "name": "RegisteredEntryEvent",
        "entry_id": "0b5e2d7c-1a3f-4b8e-9c6d-2e4f6a8b0c1d",
        "email": "alice@example.com",
        "timestamp": "2026-11-29T00:41:07.123456+00:00",
    }
    payload.update(changes)
    return {key: value for key, value in payload.items() if value is not None}


def test_a_valid_payload_becomes_a_notice_with_the_request_id():
    notice = notice_from_payload(a_payload(), request_id="req-1")

    assert notice.event_id == "3f1c8a52-9a43-4a57-bd0e-7f1f1f0f6f11"
    assert notice.email == "alice@example.com"
    assert notice.registered_at == datetime(2026, 11, 29, 0, 41, 7, 123456, tzinfo=UTC)
    assert notice.request_id == "req-1"


def test_a_timestamp_in_zulu_time_is_accepted():
    notice = notice_from_payload(a_payload(timestamp="2026-11-29T00:41:07Z"))

    assert notice.registered_at.tzinfo is not None


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(a_payload(event_id=None), id="missing event_id"),
        pytest.param(a_payload(event_id="not-a-uuid"), id="event_id not a uuid"),
        pytest.param(a_payload(entry_id=str(uuid.uuid4().hex)), id="entry_id without dashes"),
        pytest.param(a_payload(name="SomethingElse"), id="wrong name"),
        pytest.param(a_payload(email="no-at-sign"), id="email without @"),
        pytest.param(a_payload(timestamp="2026-11-29T00:41:07"), id="timestamp without offset"),
        pytest.param(a_payload(timestamp="2026-02-30T00:00:00+00:00"), id="impossible date"),
        pytest.param(a_payload(timestamp="yesterday"), id="timestamp not a date"),
        pytest.param(a_payload(timestamp="2026-12-31T23:59:60Z"), id="leap second"),
        pytest.param(["not", "an", "object"], id="array"),
        pytest.param("a string", id="string"),
    ],
)
def test_a_payload_that_breaks_the_contract_is_invalid(payload):
    with pytest.raises(InvalidEvent):
        notice_from_payload(payload)


def test_a_payload_with_a_field_added_by_a_newer_publisher_is_accepted():
    notice = notice_from_payload(a_payload(referrer="newsletter"))

    assert notice.email == "alice@example.com"


def test_the_error_about_an_invalid_payload_never_shows_the_address():
    payload = a_payload(event_id="nope", email="carol@example.net", extra="x")

    with pytest.raises(InvalidEvent) as caught:
        notice_from_payload(payload)

    assert "carol@example.net" not in str(caught.value)


def test_the_erasure_link_of_a_registration_is_read_when_there_is_one():
    link = "https://signup.example.org/erase/t0ken"

    assert notice_from_payload(a_payload(erase_url=link)).erase_url == link
    assert notice_from_payload(a_payload()).erase_url is None


def a_confirmation_payload(**changes):
    payload = {
        "event_id": "9d0c6c1e-3b1f-4a57-8e0e-1f1f1f0f6f22",
        "name": "ConfirmationRequested",
        "entry_id": "0b5e2d7c-1a3f-4b8e-9c6d-2e4f6a8b0c1d",
        "email": "alice@example.com",
        "confirm_url": "https://signup.example.org/confirm/c0nfirm",
        "erase_url": "https://signup.example.org/erase/t0ken",
        "expires_at": "2026-12-01T00:41:07+00:00",
        "timestamp": "2026-11-29T00:41:07+00:00",
    }
    payload.update(changes)
    return {key: value for key, value in payload.items() if value is not None}


def test_a_confirmation_request_becomes_a_notice_with_its_links():
    notice = confirmation_from_payload(a_confirmation_payload(), request_id="req-2")

    assert (notice.confirm_url, notice.erase_url) == (
        "https://signup.example.org/confirm/c0nfirm",
        "https://signup.example.org/erase/t0ken",
    )
    assert notice.expires_at == datetime(2026, 12, 1, 0, 41, 7, tzinfo=UTC)
    assert notice.request_id == "req-2"


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"confirm_url": None}, id="missing confirm_url"),
        pytest.param({"erase_url": "not a link"}, id="erase_url not a URI"),
        pytest.param({"expires_at": "soon"}, id="expires_at not a date"),
        pytest.param({"name": "RegisteredEntryEvent"}, id="another event's name"),
    ],
)
def test_a_confirmation_request_that_breaks_the_contract_is_invalid(changes):
    with pytest.raises(InvalidEvent):
        confirmation_from_payload(a_confirmation_payload(**changes))
