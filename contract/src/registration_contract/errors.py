"""The errors the service's RPC methods declare, as a caller catches them.

nameko sends an error with the dotted path of its class inside the service (`exc_path`), and the
caller raises whatever class is registered under that path in its own process, or a RemoteError.
These classes are registered under the service's paths, so a caller gets them typed without
importing anything of the service. The paths are part of the wire contract: a test holds them to
the service's own classes.
"""

from nameko.exceptions import registry  # type: ignore[import-untyped]


class RegistrationError(Exception):
    """Any error the registration service declares on its RPC methods."""


class InvalidEmail(RegistrationError):
    """The address is not a valid email address."""


class EmailAlreadyRegistered(RegistrationError):
    """The address is registered already."""


class EntryNotFound(RegistrationError):
    """No entry has that id."""


class StorageUnavailable(RegistrationError):
    """The service cannot reach its store right now; the call may be retried later."""


# nameko's `exc_path` of each error as the service raises it -> the class a caller gets
WIRE_PATHS: dict[str, type[RegistrationError]] = {
    "registration.domain.errors.InvalidEmail": InvalidEmail,
    "registration.domain.errors.EmailAlreadyRegistered": EmailAlreadyRegistered,
    "registration.application.errors.EntryNotFound": EntryNotFound,
    "registration.application.errors.StorageUnavailable": StorageUnavailable,
}

for _path, _error in WIRE_PATHS.items():
    # A process that holds the service's own classes too (the service, its tests) keeps those.
    registry.setdefault(_path, _error)
