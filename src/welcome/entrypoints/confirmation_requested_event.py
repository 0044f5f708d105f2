"""Inbound translation: a ConfirmationRequested payload, checked against its contract, into a
notice."""

from typing import Any

from registration_contract import CONFIRMATION_REQUESTED
from welcome.domain.confirmation_notice import ConfirmationNotice
from welcome.entrypoints.event_contract import checked, timestamp

EVENT_TYPE = CONFIRMATION_REQUESTED


def confirmation_from_payload(payload: Any, request_id: str | None = None) -> ConfirmationNotice:
    payload = checked(EVENT_TYPE, payload)
    return ConfirmationNotice(
        event_id=payload["event_id"],
        entry_id=payload["entry_id"],
        email=payload["email"],
        confirm_url=payload["confirm_url"],
        erase_url=payload["erase_url"],
        expires_at=timestamp(payload, "expires_at"),
        request_id=request_id,
    )
