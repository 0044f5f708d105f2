"""Inbound translation: an EntryErased payload, checked against its contract, into a notice."""

from typing import Any

from registration_contract import ENTRY_ERASED
from welcome.domain.erasure_notice import ErasureNotice
from welcome.entrypoints.event_contract import checked

EVENT_TYPE = ENTRY_ERASED


def erasure_from_payload(payload: Any, request_id: str | None = None) -> ErasureNotice:
    payload = checked(EVENT_TYPE, payload)
    return ErasureNotice(
        event_id=payload["event_id"], entry_id=payload["entry_id"], request_id=request_id
    )
