"""Inbound translation: a RegisteredEntryEvent payload, checked against its contract, into a notice.

The JSON Schema is the one the registration service publishes by; a payload that fails it is
poison (no retry can fix it), reported as InvalidEvent.
"""

from datetime import datetime
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match

from registration_contract import REGISTERED_ENTRY_EVENT, SERVICE_NAME
from registration_contract.schemas import event_schema
from service_kit.address_masking import mask_addresses
from welcome.domain.registration_notice import RegistrationNotice

SOURCE_SERVICE = SERVICE_NAME
EVENT_TYPE = REGISTERED_ENTRY_EVENT


class InvalidEvent(ValueError):
    """The payload breaks the event contract; its message never quotes an address in clear."""


def notice_from_payload(payload: Any, request_id: str | None = None) -> RegistrationNotice:
    error = best_match(_validator().iter_errors(payload))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "payload"
        raise InvalidEvent(mask_addresses(f"{where}: {error.message}")[:500])
    return RegistrationNotice(
        event_id=payload["event_id"],
        entry_id=payload["entry_id"],
        email=payload["email"],
        registered_at=_timestamp(payload["timestamp"]),
        request_id=request_id,
    )


def _timestamp(text: str) -> datetime:
    # RFC 3339 allows a few forms Python does not read (a leap second, a lowercase "t")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidEvent(f"timestamp: {text!r} is not a date-time Python can read") from None


@cache
def _validator() -> Draft202012Validator:
    # format checks on: "uuid", "idn-email" and "date-time" (the last needs rfc3339-validator)
    return Draft202012Validator(
        event_schema(REGISTERED_ENTRY_EVENT), format_checker=FormatChecker()
    )
