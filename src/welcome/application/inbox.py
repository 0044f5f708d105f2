"""Port: the inbox of processed events, used as a unit of work.

Recording an event and committing are separate steps so the use case can commit only after the
mail went out; leaving the `with` block without `commit()` rolls the record back.
"""

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class InboxTransaction(ABC):
    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Fail safe: anything not explicitly committed is undone, and errors propagate.
        self.rollback()

    @abstractmethod
    def record_processed(self, event_id: str) -> bool:
        """Mark the event processed; False if it already was (a duplicate delivery).

        Implementations make a concurrent second record of the same id wait for the first
        transaction and then report a duplicate, or fail; never both succeed.
        """

    @abstractmethod
    def record_erased(self, entry_id: str) -> None:
        """Remember that this entry was erased (its id only); harmless if already known."""

    @abstractmethod
    def is_erased(self, entry_id: str) -> bool: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None:
        """Undo whatever was not committed; harmless after a commit."""


class Inbox(ABC):
    @abstractmethod
    def begin(self) -> InboxTransaction:
        """A new transaction; use it as a context manager."""
