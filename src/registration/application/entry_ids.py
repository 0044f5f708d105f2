from uuid import UUID

from registration.application.errors import EntryNotFound


def entry_id_from(entry_id: str | UUID) -> UUID:
    """A caller's entry id as a UUID; anything else names no entry."""
    try:
        return entry_id if isinstance(entry_id, UUID) else UUID(entry_id)
    except ValueError:
        # Not quoted: the message reaches logs, and a caller may pass anything, an address too.
        raise EntryNotFound("No entry has this id (not a UUID).") from None


def not_found(entry_id: str | UUID) -> EntryNotFound:
    return EntryNotFound(f"No entry with id {str(entry_id)!r}.")
