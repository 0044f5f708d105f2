"""The contract of nameko_registration_service: what a subscriber or an RPC caller needs.

Importing it registers the typed RPC errors with nameko (see `errors`).
"""

from registration_contract.errors import (
    EmailAlreadyRegistered,
    EntryNotFound,
    InvalidEmail,
    RegistrationError,
    StorageUnavailable,
)
from registration_contract.events import (
    CONFIRMATION_REQUESTED,
    ENTRY_ERASED,
    REGISTERED_ENTRY_EVENT,
    ConfirmationRequestedPayload,
    EntryErasedPayload,
    RegisteredEntryEventPayload,
)
from registration_contract.service import EVENTS_EXCHANGE, SERVICE_NAME

__all__ = [
    "CONFIRMATION_REQUESTED",
    "ENTRY_ERASED",
    "EVENTS_EXCHANGE",
    "REGISTERED_ENTRY_EVENT",
    "SERVICE_NAME",
    "ConfirmationRequestedPayload",
    "EmailAlreadyRegistered",
    "EntryErasedPayload",
    "EntryNotFound",
    "InvalidEmail",
    "RegisteredEntryEventPayload",
    "RegistrationError",
    "StorageUnavailable",
]
