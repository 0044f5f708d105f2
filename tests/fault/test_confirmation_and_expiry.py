"""Confirmations and expiries while the broker is cut: each is stored at once, and once the broker
is back each is announced exactly once (`RegisteredEntryEvent` for a confirmation, `EntryErased`
for an expiry), under the event id of its outbox row; nothing is lost, nothing invented."""

import time
from urllib.parse import urlsplit

import pytest
import requests

from tests.support.fault.event_collector import EventCollector
from tests.support.fault.figures import print_summary
from tests.support.fault.reconciliation import contract_problems
from tests.support.fault.stored_state import (
    confirmed_entry_ids,
    outbox_event_ids,
    read_stored_state,
)
from tests.support.proxy_process import MODES

pytestmark = pytest.mark.fault

CONFIRMED = 30  # sign-ups whose owners confirm while the broker is cut
EXPIRING = 30  # sign-ups nobody confirms: they expire while it is cut
TTL_SECONDS = 12.0
# The sweep runs every 15 s: an entry expired at TTL is erased within about that much more.
EXPIRY_TIMEOUT = TTL_SECONDS + 30.0
DELIVERY_TIMEOUT = 30.0


@pytest.mark.parametrize("mode", MODES)
def test_confirmations_and_expiries_during_a_broker_cut_are_each_announced_once_it_is_back(
    start_stack, amqp_uri, mode
):
    stack = start_stack(1, CONFIRMATION_TTL_HOURS=str(TTL_SECONDS / 3600))
    # The vhost is the test's own: every event on it is this test's.
    registered = EventCollector(amqp_uri, "", "RegisteredEntryEvent")
    erased = EventCollector(amqp_uri, "", "EntryErased")
    try:
        requested = _sign_up(stack, CONFIRMED + EXPIRING)
        confirming, expiring = requested[:CONFIRMED], requested[CONFIRMED:]

        stack.broker_link.cut(mode)
        cut_at = time.monotonic()
        statuses = [_confirm(stack.service.base_url, event.body) for event in confirming]
        # Once more, while its link holds: harmless, and announced no second time.
        again = _confirm(stack.service.base_url, confirming[0].body)
        confirmed_during_cut = confirmed_entry_ids(stack.database_url)
        stored_after_expiry = _wait_for_expiry(stack.database_url, CONFIRMED)
        announced_during_cut = len(registered.events) + len(erased.events)
        restored_at = time.monotonic()
        stack.broker_link.restore()

        confirming_ids = {event.entry_id for event in confirming}
        expiring_ids = {event.entry_id for event in expiring}
        registered.wait_for_entries(confirming_ids, DELIVERY_TIMEOUT)
        erased.wait_for_entries(expiring_ids, DELIVERY_TIMEOUT)
        stored = stack.stored_once_relayed()
    finally:
        registered.close()
        erased.close()

    announcements = {
        "RegisteredEntryEvent": (registered.events, confirming_ids),
        "EntryErased": (erased.events, expiring_ids),
    }
    print_summary(
        f"confirm_and_expire_during_broker_cut[{mode}]",
        {
            "cut_s": round(restored_at - cut_at, 1),
            "confirm_statuses": sorted(set(statuses)),
            "announced_during_cut": announced_during_cut,
            **{
                name: {"deliveries": len(events), "entries": len({e.entry_id for e in events})}
                for name, (events, _) in announcements.items()
            },
        },
    )

    assert statuses == [200] * CONFIRMED, f"confirmations answered {sorted(set(statuses))}"
    assert confirmed_during_cut == confirming_ids, "a confirmation answered 200 was not stored"
    assert stored_after_expiry, f"the expired entries were not erased in {EXPIRY_TIMEOUT}s"
    assert announced_during_cut == 0, "an event went out during the cut: it was not injected"
    assert set(stored.entries) == confirming_ids, "stored entries differ from those confirmed"
    assert confirmed_entry_ids(stack.database_url) == confirming_ids
    assert stored.pending == 0, "outbox rows left unpublished"
    assert again == 200, "confirming twice was not harmless"
    for name, (events, expected_ids) in announcements.items():
        by_entry: dict[str, set[str]] = {}
        for event in events:
            by_entry.setdefault(event.entry_id, set()).add(event.event_id)
        assert by_entry.keys() == expected_ids, f"{name}: lost or invented entries"
        assert all(len(ids) == 1 for ids in by_entry.values()), f"{name}: two event ids"
        rows = outbox_event_ids(stack.database_url, name)
        assert {k: ids.pop() for k, ids in by_entry.items()} == rows, f"{name}: ids differ"
        broken = [problem for event in events for problem in contract_problems(event, name)]
        assert not broken, f"{name}: {broken[:5]}"


def _sign_up(stack, count: int) -> list:
    """Register `count` new addresses and wait for each one's ConfirmationRequested."""
    prefix = f"{stack.email_prefix}confirm-"
    addresses = {f"{prefix}{n}@example.com" for n in range(count)}
    with requests.Session() as session:
        for email in sorted(addresses):
            answer = session.post(f"{stack.service.base_url}/register", json={"email": email})
            assert answer.status_code == 202, answer.text
    assert stack.events.wait_for_addresses(addresses, DELIVERY_TIMEOUT), "requests not announced"
    first = {}
    for address, events in stack.events.by_address().items():
        first.setdefault(address, events[0])
    return [first[address] for address in sorted(addresses)]


def _confirm(base_url: str, requested: dict) -> int:
    """Press the button of the confirmation page, as the owner's browser would."""
    path = urlsplit(requested["confirm_url"]).path
    answer = requests.post(f"{base_url}{path}", data={"confirm": ""}, timeout=10)
    return answer.status_code


def _wait_for_expiry(database_url: str, remaining: int) -> bool:
    """Poll until the store holds `remaining` entries: the rest were erased by the sweep."""
    deadline = time.monotonic() + EXPIRY_TIMEOUT
    while time.monotonic() < deadline:
        if len(read_stored_state(database_url).entries) == remaining:
            return True
        time.sleep(0.5)
    return False
