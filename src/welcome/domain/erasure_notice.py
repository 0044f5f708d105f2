"""An erasure the subscriber must honour, as the domain sees it (not the wire format)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ErasureNotice:
    """The registration service erased an entry; forget it here too, and never welcome it.

    It carries the entry's id only, never an address.
    """

    event_id: str
    entry_id: str
    request_id: str | None = None
