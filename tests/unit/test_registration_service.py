from datetime import UTC, datetime, timedelta
from itertools import pairwise
from uuid import uuid4

import pytest

from registration.application.errors import EntryNotFound, InvalidLink
from registration.application.use_cases.register_entry import Outcome
from registration.domain.errors import InvalidEmail
from registration.domain.events import (
    ConfirmationRequested,
    EntryErased,
    RegisteredEntryEvent,
)
from tests.support.registration.entries import ERASE_URL, POLICY
from tests.support.registration.fakes import InMemoryStore, InMemoryUnitOfWork
from tests.support.registration.use_cases import UseCases

pytestmark = pytest.mark.unit

START = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(store: InMemoryStore, clock: Clock) -> UseCases:
    return UseCases(lambda: InMemoryUnitOfWork(store), clock=clock)


def requests(store: InMemoryStore) -> list[ConfirmationRequested]:
    return [event for event in store.events if isinstance(event, ConfirmationRequested)]


def token(url: str) -> str:
    return url.rsplit("/", 1)[1]


def registered(service: UseCases, store: InMemoryStore, address: str = "someone@example.com"):
    """An address registered and confirmed by its owner."""
    entry = service.register_entry(address).entry
    service.confirm_entry(token(requests(store)[-1].confirm_url))
    return store.entries[entry.id]


# --- a new address waits for its owner ---------------------------------------------------------


def test_a_new_address_is_stored_pending_with_its_normalized_form(service, store):
    registration = service.register_entry("  Someone@Example.COM ")

    entry = registration.entry
    assert registration.outcome is Outcome.CONFIRMATION_REQUESTED
    assert store.entries[entry.id] == entry
    assert entry.email.value == "Someone@example.com"
    assert not entry.is_confirmed
    assert entry.expires_at == START + POLICY.ttl


def test_a_new_address_asks_its_owner_to_confirm_in_the_same_commit(service, store):
    entry = service.register_entry("someone@example.com").entry

    (event,) = store.events
    assert isinstance(event, ConfirmationRequested)
    assert (event.entry_id, event.email, event.expires_at) == (
        entry.id,
        "someone@example.com",
        entry.expires_at,
    )
    assert event.confirm_url.startswith("http://localhost:8000/confirm/")
    assert event.erase_url.startswith("http://localhost:8000/erase/")
    assert str(entry.id) not in event.confirm_url + event.erase_url
    assert store.commits == 1


def test_nobody_hears_of_a_registration_before_its_owner_confirms(service, store):
    service.register_entry("someone@example.com")

    assert not [event for event in store.events if isinstance(event, RegisteredEntryEvent)]


def test_an_invalid_address_is_rejected_and_nothing_is_stored_or_published(service, store):
    with pytest.raises(InvalidEmail):
        service.register_entry("not an address")

    assert (store.entries, store.events, store.commits) == ({}, [], 0)


# --- confirmation ------------------------------------------------------------------------------


def test_confirming_makes_the_registration_and_announces_it(service, store, clock):
    entry = service.register_entry("someone@example.com").entry
    clock.advance(hours=1)

    confirmed = service.confirm_entry(token(requests(store)[0].confirm_url))

    assert confirmed.is_confirmed and confirmed.confirmed_at == clock.now
    assert confirmed.expires_at is None
    assert store.entries[entry.id] == confirmed
    announced = store.events[-1]
    assert isinstance(announced, RegisteredEntryEvent)
    assert (announced.entry_id, announced.email) == (entry.id, "someone@example.com")
    assert announced.erase_url.startswith("http://localhost:8000/erase/")


def test_confirming_twice_is_harmless_and_announces_once(service, store):
    service.register_entry("someone@example.com")
    link = token(requests(store)[0].confirm_url)

    first = service.confirm_entry(link)
    second = service.confirm_entry(link)

    assert first == second
    assert sum(isinstance(e, RegisteredEntryEvent) for e in store.events) == 1


def test_an_expired_confirmation_link_confirms_nothing(service, store, clock):
    service.register_entry("someone@example.com")
    clock.advance(hours=48, seconds=1)

    with pytest.raises(InvalidLink):
        service.confirm_entry(token(requests(store)[0].confirm_url))
    assert not any(e.is_confirmed for e in store.entries.values())


@pytest.mark.parametrize("tamper", [lambda t: t[:-2] + "AA", lambda t: "x" + t, lambda t: ""])
def test_an_altered_link_confirms_nothing(service, store, tamper):
    service.register_entry("someone@example.com")

    with pytest.raises(InvalidLink):
        service.confirm_entry(tamper(token(requests(store)[0].confirm_url)))


def test_an_erasure_link_does_not_confirm_and_a_confirmation_link_does_not_erase(service, store):
    service.register_entry("someone@example.com")
    event = requests(store)[0]

    with pytest.raises(InvalidLink):
        service.confirm_entry(token(event.erase_url))
    with pytest.raises(InvalidLink):
        service.erase_own_entry(token(event.confirm_url))
    assert len(store.entries) == 1


def test_the_link_of_an_erased_entry_confirms_nothing(service, store):
    entry = service.register_entry("someone@example.com").entry
    service.erase_entry(entry.id)

    with pytest.raises(InvalidLink):
        service.confirm_entry(token(requests(store)[0].confirm_url))


# --- an address given again: a bounded number of mails -----------------------------------------


def test_a_pending_address_given_again_at_once_is_not_mailed_again(service, store):
    service.register_entry("someone@example.com")

    again = service.register_entry(" SOMEONE@example.com")

    assert again.outcome is Outcome.RESEND_SUPPRESSED
    assert len(store.entries) == 1 and len(requests(store)) == 1


def test_a_pending_address_is_asked_again_after_the_resend_interval(service, store, clock):
    first = service.register_entry("someone@example.com").entry
    clock.advance(minutes=10)

    again = service.register_entry("someone@example.com")

    assert again.outcome is Outcome.CONFIRMATION_RESENT
    assert again.entry.expires_at == clock.now + POLICY.ttl > first.expires_at
    assert len(requests(store)) == 2


def test_no_inbox_gets_more_than_three_confirmation_mails_in_any_day(service, store, clock):
    sent_at = []
    for _ in range(100 * 6):  # six a minute for 100 hours, far past the 48 h TTL
        if service.register_entry("someone@example.com").outcome in (
            Outcome.CONFIRMATION_REQUESTED,
            Outcome.CONFIRMATION_RESENT,
        ):
            sent_at.append(clock.now)
        clock.advance(minutes=10)

    assert sent_at
    for i, moment in enumerate(sent_at):
        assert sum(moment <= later < moment + timedelta(days=1) for later in sent_at[i:]) <= 3
    assert all(b - a >= timedelta(minutes=10) for a, b in pairwise(sent_at))


def test_a_confirmed_address_given_again_gets_no_mail(service, store):
    registered(service, store)
    mails = len(store.events)

    again = service.register_entry("someone@example.com")

    assert again.outcome is Outcome.ALREADY_CONFIRMED
    assert len(store.events) == mails


# --- reading and erasing -----------------------------------------------------------------------


def test_an_entry_can_be_read_back_by_id(service, store):
    entry = service.register_entry("someone@example.com").entry

    assert service.get_entry(str(entry.id)) == entry
    assert service.get_entry(entry.id) == entry


@pytest.mark.parametrize(
    "written", ["Someone@Example.COM", "  someone@example.com ", "someone@EXAMPLE.com"]
)
def test_an_entry_is_found_by_its_address_written_any_way_registration_takes_it(service, written):
    entry = service.register_entry("someone@example.com").entry

    assert service.find_entry(written) == entry


def test_an_address_nobody_registered_is_not_found_and_a_bad_one_is_invalid(service):
    service.register_entry("someone@example.com")

    with pytest.raises(EntryNotFound):
        service.find_entry("someone.else@example.com")
    with pytest.raises(InvalidEmail):
        service.find_entry("not an address")


@pytest.mark.parametrize("entry_id", [str(uuid4()), "not-a-uuid", "", "1" * 500])
def test_an_unknown_or_malformed_id_is_not_found(service, entry_id):
    with pytest.raises(EntryNotFound):
        service.get_entry(entry_id)


def test_a_unit_of_work_left_without_commit_stores_nothing(store):
    uow = InMemoryUnitOfWork(store)
    with uow:
        uow.events.publish(
            [RegisteredEntryEvent(entry_id=uuid4(), email="a@example.com", erase_url=ERASE_URL)]
        )

    assert store.events == []


def test_erasing_an_entry_removes_it_and_announces_it_without_the_address(service, store, clock):
    entry = registered(service, store)

    service.erase_entry(str(entry.id))

    assert store.entries == {}
    erased = store.events[-1]
    assert isinstance(erased, EntryErased)
    assert (erased.entry_id, erased.timestamp) == (entry.id, clock.now)
    assert "someone" not in str(erased.to_dict())


def test_the_owner_erases_their_own_entry_from_the_link_in_a_mail(service, store):
    entry = registered(service, store)
    link = token(store.events[-1].erase_url)

    assert service.erase_own_entry(link) is True
    assert service.erase_own_entry(link) is False  # twice is harmless

    assert store.entries == {}
    assert [e.entry_id for e in store.events if isinstance(e, EntryErased)] == [entry.id]


def test_an_erased_address_can_register_again(service, store):
    entry = registered(service, store)
    service.erase_entry(entry.id)

    again = service.register_entry("someone@example.com")

    assert again.outcome is Outcome.CONFIRMATION_REQUESTED
    assert list(store.entries) == [again.entry.id]


@pytest.mark.parametrize("entry_id", [str(uuid4()), "not-a-uuid", ""])
def test_erasing_an_unknown_or_malformed_id_is_not_found_and_publishes_nothing(
    service, store, entry_id
):
    with pytest.raises(EntryNotFound):
        service.erase_entry(entry_id)

    assert (store.events, store.commits) == ([], 0)


# --- expiry ------------------------------------------------------------------------------------


def test_pending_entries_past_their_ttl_are_erased_as_an_erasure_is(service, store, clock):
    stale = service.register_entry("stale@example.com").entry
    clock.advance(hours=47)
    fresh = service.register_entry("fresh@example.com").entry
    kept = registered(service, store, "kept@example.com")
    clock.advance(hours=1, seconds=1)

    assert service.expire_pending_entries(batch_size=10) == 1

    assert set(store.entries) == {fresh.id, kept.id}
    assert [e.entry_id for e in store.events if isinstance(e, EntryErased)] == [stale.id]
    assert service.expire_pending_entries(batch_size=10) == 0


def test_the_sweep_erases_in_bounded_batches(service, store, clock):
    for n in range(5):
        service.register_entry(f"p{n}@example.com")
    clock.advance(hours=49)

    assert [service.expire_pending_entries(batch_size=2) for _ in range(4)] == [2, 2, 1, 0]
    assert store.entries == {}
