from datetime import UTC, datetime
from uuid import uuid4

import pytest

from registration.application.errors import EntryNotFound
from registration.domain.errors import EmailAlreadyRegistered, InvalidEmail
from registration.domain.events import EntryErased, RegisteredEntryEvent
from tests.support.registration.fakes import InMemoryStore, InMemoryUnitOfWork
from tests.support.registration.use_cases import UseCases

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def service(store: InMemoryStore) -> UseCases:
    return UseCases(lambda: InMemoryUnitOfWork(store), clock=lambda: NOW)


def test_registering_stores_the_entry_with_its_normalized_address(service, store):
    entry = service.register_entry("  Someone@Example.COM ")

    assert store.entries[entry.id] == entry
    assert entry.email.value == "Someone@example.com"
    assert entry.registered_at == NOW


def test_registering_publishes_one_registered_entry_event(service, store):
    entry = service.register_entry("someone@example.com")

    assert len(store.events) == 1
    event = store.events[0]
    assert isinstance(event, RegisteredEntryEvent)
    assert (event.entry_id, event.email) == (entry.id, "someone@example.com")


def test_entry_and_event_are_committed_together_once(service, store):
    service.register_entry("someone@example.com")

    assert store.commits == 1


def test_registering_the_same_address_twice_is_rejected(service, store):
    service.register_entry("someone@example.com")

    with pytest.raises(EmailAlreadyRegistered):
        service.register_entry("SOMEONE@example.com  ")
    assert len(store.entries) == 1
    assert len(store.events) == 1


def test_an_invalid_address_is_rejected_and_nothing_is_stored_or_published(service, store):
    with pytest.raises(InvalidEmail):
        service.register_entry("not an address")

    assert store.entries == {}
    assert store.events == []
    assert store.commits == 0


def test_a_registered_entry_can_be_read_back_by_id(service):
    entry = service.register_entry("someone@example.com")

    assert service.get_entry(str(entry.id)) == entry
    assert service.get_entry(entry.id) == entry


@pytest.mark.parametrize("entry_id", [str(uuid4()), "not-a-uuid", "", "1" * 500])
def test_an_unknown_or_malformed_id_is_not_found(service, entry_id):
    with pytest.raises(EntryNotFound):
        service.get_entry(entry_id)


def test_a_unit_of_work_left_without_commit_stores_nothing(store):
    uow = InMemoryUnitOfWork(store)
    with uow:
        uow.events.publish([RegisteredEntryEvent(entry_id=uuid4(), email="a@example.com")])

    assert store.events == []


def test_erasing_an_entry_removes_it_and_announces_it_without_the_address(service, store):
    entry = service.register_entry("someone@example.com")

    service.erase_entry(str(entry.id))

    assert store.entries == {}
    erased = store.events[-1]
    assert isinstance(erased, EntryErased)
    assert erased.entry_id == entry.id
    assert erased.timestamp == NOW
    assert "someone" not in str(erased.to_dict())
    assert store.commits == 2


def test_an_erased_address_can_register_again(service, store):
    entry = service.register_entry("someone@example.com")
    service.erase_entry(entry.id)

    again = service.register_entry("someone@example.com")

    assert list(store.entries) == [again.id]


@pytest.mark.parametrize("entry_id", [str(uuid4()), "not-a-uuid", ""])
def test_erasing_an_unknown_or_malformed_id_is_not_found_and_publishes_nothing(
    service, store, entry_id
):
    with pytest.raises(EntryNotFound):
        service.erase_entry(entry_id)

    assert store.events == []
    assert store.commits == 0


def test_erasing_twice_is_not_found_the_second_time(service, store):
    entry = service.register_entry("someone@example.com")
    service.erase_entry(entry.id)

    with pytest.raises(EntryNotFound):
        service.erase_entry(entry.id)
    assert [type(e) for e in store.events] == [RegisteredEntryEvent, EntryErased]
