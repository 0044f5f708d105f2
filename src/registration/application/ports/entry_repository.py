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
