from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from registration.application.errors import EntryChanged, InvalidLink
from registration.application.ports import Clock, LinkPurpose, Links, UnitOfWorkFactory
from registration.domain.entry import Entry


@dataclass(frozen=True)
class ConfirmEntry:
    """The owner of an address followed its confirmation link: the entry becomes a registration,
    and `RegisteredEntryEvent` announces it, in one transaction. Confirming twice is harmless."""

    unit_of_work: UnitOfWorkFactory
    clock: Clock
    links: Links

    def __call__(self, token: str) -> Entry:
        now = self.clock()
        entry_id = self.links.entry_named_by(LinkPurpose.CONFIRM, token, now)
        try:
            return self._confirm(entry_id, now)
        except EntryChanged:  # confirmed (or asked again) by a request beside this one
            return self._confirm(entry_id, now)

    def check(self, token: str) -> None:
        """Raise `InvalidLink` for a link that would not confirm (it reads nothing stored)."""
        self.links.entry_named_by(LinkPurpose.CONFIRM, token, self.clock())

    def _confirm(self, entry_id: UUID, now: datetime) -> Entry:
        with self.unit_of_work() as uow:
            entry = uow.entries.get(entry_id)
            if entry is None or entry.is_expired(now):
                raise InvalidLink()  # erased, or expired and about to be
            if entry.is_confirmed:
                return entry
            confirmed, registered = entry.confirm(now, self.links.erasure_link(entry.id, now))
            uow.entries.update(confirmed)
            uow.events.publish([registered])
            uow.commit()
        return confirmed
