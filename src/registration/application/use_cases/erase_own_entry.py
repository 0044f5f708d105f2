from dataclasses import dataclass

from registration.application.errors import EntryNotFound
from registration.application.ports import Clock, LinkPurpose, Links, UnitOfWorkFactory
from registration.application.use_cases.erase_entry import EraseEntry


@dataclass(frozen=True)
class EraseOwnEntry:
    """The owner of an address followed the erasure link of one of its mails (one-click
    unsubscribe): the entry goes the way an operator's erasure goes. Erasing twice is harmless."""

    unit_of_work: UnitOfWorkFactory
    clock: Clock
    links: Links

    def __call__(self, token: str) -> bool:
        """Whether there was an entry to erase."""
        entry_id = self.links.entry_named_by(LinkPurpose.ERASE, token, self.clock())
        try:
            EraseEntry(self.unit_of_work, self.clock)(entry_id)
        except EntryNotFound:
            return False
        return True

    def check(self, token: str) -> None:
        """Raise `InvalidLink` for a link that would not erase (it reads nothing stored)."""
        self.links.entry_named_by(LinkPurpose.ERASE, token, self.clock())
