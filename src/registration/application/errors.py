from registration.domain.errors import CoreError, ErrorKind


class EntryNotFound(
    CoreError,
    kind=ErrorKind.NOT_FOUND,
    code="entry-not-found",
    title="Entry not found",
    outcome="not_found",
):
    pass


class StorageUnavailable(
    CoreError,
    kind=ErrorKind.UNAVAILABLE,
    code="service-unavailable",
    title="Service unavailable",
    outcome="unavailable",
):
    """The store cannot be reached right now; the caller may retry later."""
