from abc import ABC, abstractmethod
from datetime import datetime
from uuid import UUID

from registration.domain.email import Email
from registration.domain.entry import Entry


class EntryRepository(ABC):
    @abstractmethod
    def add(self, entry: Entry) -> None:
        """Stage a new entry; it is stored when the unit of work commits.

        An address already registered (same `Email.key`) makes `add` or the commit raise
        `EmailAlreadyRegistered`.
        """

    @abstractmethod
    def get(self, entry_id: UUID) -> Entry | None: ...

    @abstractmethod
    def with_address(self, email: Email) -> Entry | None:
        """The entry registered under this address (the same `Email.key`), pending or not."""

    @abstractmethod
    def expired(self, now: datetime, limit: int) -> list[Entry]:
        """Up to `limit` pending entries whose confirmation expired by `now`, longest expired
        first."""

    @abstractmethod
    def update(self, entry: Entry) -> None:
        """Stage an entry's new state (the same id): at commit it replaces the stored one.

        An entry that is gone (erased concurrently) makes `update` or the commit raise
        `EntryNotFound`; one stored at another version than the one before this state (changed
        concurrently) raises `EntryChanged`; either way nothing of the unit of work is stored.
        """

    @abstractmethod
    def remove(self, entry: Entry) -> None:
        """Stage the entry's erasure: at commit it goes, and with it every stored record that
        carries its address (events on their way or kept for replay included).

        An entry that is already gone (erased concurrently) makes `remove` or the commit raise
        `EntryNotFound`, and nothing of the unit of work is stored.
        """
