"""Inbound translation: a RegisteredEntryEvent payload, checked against its contract, into a notice."""

from typing import Any

from registration_contract import REGISTERED_ENTRY_EVENT
from welcome.domain.registration_notice import RegistrationNotice
from welcome.entrypoints.event_contract import checked, timestamp

EVENT_TYPE = REGISTERED_ENTRY_EVENT


def notice_from_payload(payload: Any, request_id: str | None = None) -> RegistrationNotice:
    payload = checked(EVENT_TYPE, payload)
    return RegistrationNotice(
        event_id=payload["event_id"],
        entry_id=payload["entry_id"],
        email=payload["email"],
        registered_at=timestamp(payload, "timestamp"),
        erase_url=payload.get("erase_url"),
        request_id=request_id,
    )
