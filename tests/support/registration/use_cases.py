"""The service's use cases over one unit-of-work factory and clock, as tests call them."""

from registration.application.ports import Clock, UnitOfWorkFactory
from registration.application.use_cases.erase_entry import EraseEntry
from registration.application.use_cases.get_entry import GetEntry
from registration.application.use_cases.register_entry import RegisterEntry


class UseCases:
    def __init__(self, unit_of_work: UnitOfWorkFactory, clock: Clock) -> None:
        self.register_entry = RegisterEntry(unit_of_work, clock)
        self.get_entry = GetEntry(unit_of_work)
        self.erase_entry = EraseEntry(unit_of_work, clock)
