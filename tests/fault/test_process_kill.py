"""Process killed (SIGKILL) mid-load: after a restart every registration answered 202 is
announced, no event is invented, and a re-sent event repeats its event_id."""

import time
from collections import Counter

import pytest
import requests

from tests.support.fault.figures import (
    event_figures,
    latency_figures,
    print_summary,
    status_counts,
)
from tests.support.fault.reconciliation import reconcile

pytestmark = pytest.mark.fault

KILLS = 2
RUN_BETWEEN_KILLS_SECONDS = 2.0
DELIVERY_TIMEOUT = 30.0


def test_every_202_is_announced_once_the_service_killed_mid_load_is_back(stack):
    load = stack.load().start()
    downtimes = []
    for _ in range(KILLS):
        time.sleep(RUN_BETWEEN_KILLS_SECONDS)
        killed_at = time.monotonic()
        stack.service.kill()
        stack.service.start()  # same database, broker and port
        downtimes.append((killed_at, time.monotonic()))
    time.sleep(RUN_BETWEEN_KILLS_SECONDS)
    answers = load.stop()

    _, delivered, stored, result = stack.settle(answers, DELIVERY_TIMEOUT)
    unanswered = [a for a in answers if a.status is None]
    print_summary(
        "process_kill",
        {
            "kills": KILLS,
            "requests": len(answers),
            "statuses": status_counts(answers),
            "latency_of_202": latency_figures([a for a in answers if a.status == 202]),
            "restart_to_ready_s": [round(ready - killed, 2) for killed, ready in downtimes],
            **event_figures(result),
        },
    )

    assert all(a.status in (202, None) for a in answers), status_counts(answers)
    outside_downtimes = [a for a in unanswered if not overlaps_any(a, downtimes)]
    assert not outside_downtimes, f"unanswered while running: {outside_downtimes[:3]}"
    assert delivered and not result.lost, f"events lost: {result.lost[:5]}"
    assert stored.pending == 0 and not result.stored_without_event, "stored entries unannounced"
    assert not result.phantom, f"events for entries that were not stored: {result.phantom[:5]}"
    assert not result.conflicting_event_ids, "a re-sent event carried a new event id"
    assert not result.event_id_not_stored, "an event id differs from its outbox row's"
    assert not result.contract_violations, result.contract_violations[:5]


def overlaps_any(answer, windows: list[tuple[float, float]]) -> bool:
    return any(answer.started_at <= end and answer.ended_at >= start for start, end in windows)


REGISTRATIONS_WHILE_MUTED = 20
CONFIRM_WAIT_SECONDS = 5.0  # the relay's publisher gives up on missing confirms after this


def test_events_the_broker_got_but_never_confirmed_before_a_kill_go_out_again_with_the_same_ids(
    stack,
):
    session = requests.Session()
    warm_up = register(session, stack, "warm-up")  # the relay now holds a broker connection
    assert stack.events.wait_for_addresses({warm_up}, DELIVERY_TIMEOUT)
    stack.broker_link.mute()  # publishes reach the broker; its confirms never come back
    registered = {register(session, stack, f"muted-{n}") for n in range(REGISTRATIONS_WHILE_MUTED)}
    # The relay's first round after the mute is routed, then it waits for confirms in vain;
    # a moment more lets the whole round arrive. (Should the wait end before the kill, its
    # rows roll back to pending all the same.)
    first = stack.events.wait_for_any(registered, CONFIRM_WAIT_SECONDS / 2)
    time.sleep(0.5)
    routed_before_kill = registered & stack.events.by_address().keys()
    stack.service.kill()  # before the confirm wait ends: the claimed rows were never marked
    stack.broker_link.restore()
    stack.service.start()
    delivered = stack.events.wait_for_addresses(registered, DELIVERY_TIMEOUT)
    stored = stack.stored_once_relayed()
    result = reconcile([], stack.events.events, stored)
    deliveries = Counter(e.email for e in stack.events.events)
    print_summary(
        "redelivery_after_kill",
        {
            "registered_while_muted": len(registered),
            "routed_before_kill": len(routed_before_kill),
            "delivered_again_after_restart": sum(
                1 for address in routed_before_kill if deliveries[address] >= 2
            ),
            "events": result.events,
            "distinct_events": result.distinct_events,
            "conflicting_event_ids": len(result.conflicting_event_ids),
            "event_id_not_stored": len(result.event_id_not_stored),
        },
    )

    assert first is not None and routed_before_kill, "no unconfirmed event reached the broker"
    assert delivered and stored.pending == 0 and not result.stored_without_event
    assert all(deliveries[address] >= 2 for address in routed_before_kill), "not sent again"
    assert not result.conflicting_event_ids, "a re-sent event carried a new event id"
    assert not result.event_id_not_stored, "an event id differs from its outbox row's"
    assert not result.phantom and not result.contract_violations


def register(session: requests.Session, stack, name: str) -> str:
    """Registers a new address; returns it, as the answer names no entry."""
    email = f"{stack.email_prefix}{name}@example.com"
    response = session.post(f"{stack.service.base_url}/register", json={"email": email}, timeout=10)
    assert response.status_code == 202, response.text
    return email
