from datetime import datetime
from enum import Enum
from typing import Protocol
from uuid import UUID


class LinkPurpose(Enum):
    CONFIRM = "confirm"
    ERASE = "erase"


class Links(Protocol):
    """The links mailed to an address's owner: each names one entry and one purpose, and holds
    until its expiry; nobody can make one from the entry id alone."""

    def link(self, purpose: LinkPurpose, entry_id: UUID, expires_at: datetime) -> str:
        """The absolute URL a browser opens."""

    def erasure_link(self, entry_id: UUID, now: datetime) -> str:
        """The person's own erasure link, for every mail; it lasts as long as mails are kept."""

    def entry_named_by(self, purpose: LinkPurpose, token: str, now: datetime) -> UUID:
        """The entry a link's token names, if it was made for `purpose` and has not expired;
        raises `InvalidLink` otherwise."""
