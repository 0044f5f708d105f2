"""Lets nameko RPC callers get the core's own error types back instead of a RemoteError.

A caller imports this module (or registers the same classes) before calling
`n.rpc.nameko_registration_service.register_entry(...)`.
"""

from nameko.exceptions import deserialize_to_instance

from registration.application.errors import EntryNotFound, StorageUnavailable
from registration.domain.errors import EmailAlreadyRegistered, InvalidEmail

RPC_ERRORS = tuple(
    deserialize_to_instance(error)
    for error in (InvalidEmail, EmailAlreadyRegistered, EntryNotFound, StorageUnavailable)
)
