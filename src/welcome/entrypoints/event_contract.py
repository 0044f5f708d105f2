"""Inbound events checked against the JSON Schemas the registration service publishes by.

A payload that fails its schema is poison (no retry can fix it), reported as InvalidEvent.
"""

from datetime import datetime
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match

from registration_contract import SERVICE_NAME
from registration_contract.schemas import event_schema
from service_kit.address_masking import mask_addresses

SOURCE_SERVICE = SERVICE_NAME


class InvalidEvent(ValueError):
    """The payload breaks the event contract; its message never quotes an address in clear."""


def checked(event_type: str, payload: Any) -> dict[str, Any]:
    """The payload, once it conforms to its event type's schema."""
    error = best_match(_validator(event_type).iter_errors(payload))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "payload"
        raise InvalidEvent(mask_addresses(f"{where}: {error.message}")[:500])
    return payload  # type: ignore[no-any-return]


def timestamp(payload: dict[str, Any], field: str) -> datetime:
    # RFC 3339 allows a few forms Python does not read (a leap second, a lowercase "t")
    try:
        return datetime.fromisoformat(payload[field])
    except ValueError:
        raise InvalidEvent(
            f"{field}: {payload[field]!r} is not a date-time Python can read"
        ) from None


@cache
def _validator(event_type: str) -> Draft202012Validator:
    # format checks on: "uuid", "idn-email", "uri" and "date-time" (rfc3339-validator)
    return Draft202012Validator(event_schema(event_type), format_checker=FormatChecker())
