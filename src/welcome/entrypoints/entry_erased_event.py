"""Inbound translation: an EntryErased payload, checked against its contract, into a notice."""

from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match

from registration_contract import ENTRY_ERASED
from registration_contract.schemas import event_schema
from service_kit.address_masking import mask_addresses
from welcome.domain.erasure_notice import ErasureNotice
from welcome.entrypoints.registered_entry_event import InvalidEvent

EVENT_TYPE = ENTRY_ERASED


def erasure_from_payload(payload: Any, request_id: str | None = None) -> ErasureNotice:
    error = best_match(_validator().iter_errors(payload))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "payload"
        raise InvalidEvent(mask_addresses(f"{where}: {error.message}")[:500])
    return ErasureNotice(
        event_id=payload["event_id"], entry_id=payload["entry_id"], request_id=request_id
    )


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(event_schema(ENTRY_ERASED), format_checker=FormatChecker())
