"""Broker unreachable: registrations still answer 202 at once, and every event goes out once the
broker is back, with no restart."""

import time

import pytest

from tests.support.fault.figures import (
    drain_seconds,
    event_figures,
    latency_figures,
    print_summary,
    status_counts,
)
from tests.support.proxy_process import MODES

pytestmark = pytest.mark.fault

WARM_UP_SECONDS = 1.5
CUT_SECONDS = 5.0
AFTER_RESTORE_SECONDS = 2.0
PROMPT_SECONDS = 5.0  # "promptly", as the issue asks
DELIVERY_TIMEOUT = 30.0


@pytest.mark.parametrize("mode", MODES)
def test_registrations_succeed_while_the_broker_is_cut_and_their_events_follow_once_it_is_back(
    stack, mode
):
    load = stack.load().start()
    time.sleep(WARM_UP_SECONDS)
    cut_at, restored_at, ready_during_cut = stack.hold_cut(stack.broker_link, mode, CUT_SECONDS)
    time.sleep(AFTER_RESTORE_SECONDS)
    answers = load.stop()

    acknowledged, delivered, stored, result = stack.settle(answers, DELIVERY_TIMEOUT)
    during_cut = [a for a in answers if a.within(cut_at, restored_at)]
    first_events = stack.events.first_arrivals()
    held_back = [a.email for a in during_cut if first_events.get(a.email, 0) >= restored_at]
    print_summary(
        f"broker_cut[{mode}]",
        {
            "requests": len(answers),
            "statuses": status_counts(answers),
            "latency_all": latency_figures(answers),
            "latency_during_cut": latency_figures(during_cut),
            "ready_during_cut": ready_during_cut,
            "events_held_back_by_cut": len(held_back),
            "drain_after_restore_s": drain_seconds(acknowledged, first_events, restored_at),
            **event_figures(result),
        },
    )

    failed = [a for a in answers if a.status != 202]
    assert not failed, f"not every registration was answered 202: {failed[:5]}"
    slow = [a for a in answers if a.latency >= PROMPT_SECONDS]
    assert not slow, f"answers took {PROMPT_SECONDS}s or more: {slow[:5]}"
    assert during_cut, "no registration was answered while the broker was cut"
    assert ready_during_cut == 200, "a broker outage took the instance out of rotation"
    assert delivered and not result.lost, f"events lost: {result.lost[:5]}"
    assert held_back, "the cut did not hold back any event: the fault was not injected"
    assert not result.phantom, f"events for entries that were not stored: {result.phantom[:5]}"
    assert stored.pending == 0 and not result.stored_without_event, "stored entries unannounced"
    assert stored.addresses() == acknowledged, "stored entries differ from those answered 202"
    assert not result.conflicting_event_ids, "an entry was announced under two event ids"
    assert not result.event_id_not_stored, "an event id differs from its outbox row's"
    assert not result.contract_violations, result.contract_violations[:5]
