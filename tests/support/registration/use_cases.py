"""The service's use cases over one unit-of-work factory and clock, as tests call them."""

from datetime import timedelta

from registration.adapters.links.signed_links import SignedLinks
from registration.application.ports import Clock, UnitOfWorkFactory
from registration.application.use_cases.confirm_entry import ConfirmEntry
from registration.application.use_cases.erase_entry import EraseEntry
from registration.application.use_cases.erase_own_entry import EraseOwnEntry
from registration.application.use_cases.expire_pending_entries import ExpirePendingEntries
from registration.application.use_cases.find_entry import FindEntry
from registration.application.use_cases.get_entry import GetEntry
from registration.application.use_cases.register_entry import RegisterEntry
from registration.domain.entry import Entry
from tests.support.registration.entries import POLICY

LINKS = SignedLinks("http://localhost:8000", ["a key for the tests"], timedelta(days=365))


class UseCases:
    def __init__(self, unit_of_work: UnitOfWorkFactory, clock: Clock) -> None:
        self.links = LINKS
        self.register_entry = RegisterEntry(unit_of_work, clock, LINKS, POLICY)
        self.confirm_entry = ConfirmEntry(unit_of_work, clock, LINKS)
        self.get_entry = GetEntry(unit_of_work)
        self.find_entry = FindEntry(unit_of_work)
        self.erase_entry = EraseEntry(unit_of_work, clock)
        self.erase_own_entry = EraseOwnEntry(unit_of_work, clock, LINKS)
        self.expire_pending_entries = ExpirePendingEntries(unit_of_work, clock)

    def pending_entry(self, address: str) -> Entry:
        """A new address registered: its entry, pending."""
        entry = self.register_entry(address).entry
        assert entry is not None
        return entry
