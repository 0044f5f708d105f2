from abc import ABC, abstractmethod
from collections.abc import Callable
from types import TracebackType
from typing import Self

from registration.application.ports.entry_repository import EntryRepository
from registration.application.ports.event_publisher import EventPublisher


class UnitOfWork(ABC):
    """One transaction: the entries and the events staged in it are kept together or not at all.

    Leaving the block without `commit()` (or with an exception) rolls everything back.
    """

    entries: EntryRepository
    events: EventPublisher

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.rollback()

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None:
        """Discard whatever was not committed; harmless after a commit."""


UnitOfWorkFactory = Callable[[], UnitOfWork]
