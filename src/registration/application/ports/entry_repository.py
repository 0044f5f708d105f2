from abc import ABC, abstractmethod
from uuid import UUID

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
    def update(self, entry: Entry) -> None:
        """Stage an entry's new state (the same id): at commit it replaces the stored one.

        An entry that is gone (erased concurrently) makes `update` or the commit raise
        `EntryNotFound`, and nothing of the unit of work is stored.
        """

    @abstractmethod
    def remove(self, entry: Entry) -> None:
        """Stage the entry's erasure: at commit it goes, and with it every stored record that
        carries its address (events on their way or kept for replay included).

        An entry that is already gone (erased concurrently) makes `remove` or the commit raise
        `EntryNotFound`, and nothing of the unit of work is stored.
        """
