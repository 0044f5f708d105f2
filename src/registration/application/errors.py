from registration.domain.errors import DomainError


class EntryNotFound(DomainError):
    pass


class StorageUnavailable(Exception):
    """The store cannot be reached right now; the caller may retry later."""
