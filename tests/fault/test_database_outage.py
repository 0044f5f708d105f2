"""Database unreachable: registrations fail fast with 503 problem+json and no event, and the
service recovers by itself once the database is back."""

import json
import time

import pytest

from tests.support.fault.figures import (
    event_figures,
    latency_figures,
    print_summary,
    status_counts,
)
from tests.support.fault.load_driver import Answer, LoadDriver
from tests.support.proxy_process import MODES

pytestmark = pytest.mark.fault

WARM_UP_SECONDS = 1.5
CUT_SECONDS = 5.0
ANSWER_WITHIN_SECONDS = 5.0  # the bound on a 503 while the database is down
RECOVERY_SECONDS = 10.0
DELIVERY_TIMEOUT = 30.0


# config.yml's max_workers is 10: with more clients, requests also queue for a worker.
CLIENTS = (6, 20)


@pytest.mark.parametrize("clients", CLIENTS, ids=lambda n: f"{n}-clients")
@pytest.mark.parametrize("mode", MODES)
def test_registrations_fail_fast_with_503_while_the_database_is_cut_and_recover_without_restart(
    stack, mode, clients
):
    load = stack.load(clients=clients).start()
    time.sleep(WARM_UP_SECONDS)
    cut_at, restored_at, ready_during_cut = stack.hold_cut(stack.database_link, mode, CUT_SECONDS)
    recovered_after = seconds_until_registered_again(load, restored_at, RECOVERY_SECONDS)
    ready_after = seconds_until_ready(stack.service, restored_at, RECOVERY_SECONDS)
    answers = load.stop()

    _, delivered, stored, result = stack.settle(answers, DELIVERY_TIMEOUT)
    during_cut = [a for a in answers if a.within(cut_at, restored_at)]
    refused = [a for a in answers if a.status == 503]
    print_summary(
        f"database_cut[{mode},{clients}-clients]",
        {
            "requests": len(answers),
            "statuses": status_counts(answers),
            "statuses_during_cut": status_counts(during_cut),
            "latency_during_cut": latency_figures(during_cut),
            "latency_of_503": latency_figures(refused),
            "ready_during_cut": ready_during_cut,
            "registering_again_after_restore_s": recovered_after,
            "ready_after_restore_s": ready_after,
            **event_figures(result),
        },
    )

    unexpected = [a for a in answers if a.status not in (202, 503)]
    assert not unexpected, f"answers other than 202 or 503 (500s, none at all): {unexpected[:5]}"
    assert during_cut, "no registration was answered while the database was cut"
    assert all(a.status == 503 for a in during_cut), "a registration succeeded with no database"
    assert all(is_problem_503(a) for a in refused), f"not a 503 problem: {refused[:3]}"
    slow = [a for a in answers if a.latency >= ANSWER_WITHIN_SECONDS]
    assert not slow, f"answers took {ANSWER_WITHIN_SECONDS}s or more: {slow[:5]}"
    assert ready_during_cut == 503, "readiness did not report the unreachable database"
    assert recovered_after is not None, f"no 202 within {RECOVERY_SECONDS}s of the restore"
    assert ready_after is not None, f"not ready within {RECOVERY_SECONDS}s of the restore"
    assert delivered and not result.lost, f"events lost: {result.lost[:5]}"
    assert not result.phantom, f"events for entries that were not stored: {result.phantom[:5]}"
    assert stored.pending == 0 and not result.stored_without_event, "stored entries unannounced"
    assert not result.conflicting_event_ids, "an entry was announced under two event ids"
    assert not result.event_id_not_stored, "an event id differs from its outbox row's"
    assert not result.contract_violations, result.contract_violations[:5]
    # A batch in flight when the link was cut may have committed with its answers lost: the
    # service undoes such writes before its relay publishes anything (Database.undo_unacknowledged).
    assert not result.delivered_without_202, (
        f"announced although answered 503: {result.delivered_without_202[:5]}"
    )


def is_problem_503(answer: Answer) -> bool:
    try:
        document = json.loads(answer.body)
    except ValueError:
        return False
    return (
        answer.content_type == "application/problem+json"
        and document.get("status") == 503
        and answer.retry_after is not None
    )


def seconds_until_registered_again(
    load: LoadDriver, restored_at: float, timeout: float
) -> float | None:
    """How long after the restore the first registration sent after it was answered 202."""
    deadline = restored_at + timeout
    while True:
        answered = [a for a in load.answers if a.status == 202 and a.started_at >= restored_at]
        if answered:
            return round(min(a.ended_at for a in answered) - restored_at, 2)
        if time.monotonic() > deadline:
            return None
        time.sleep(0.1)


def seconds_until_ready(service, restored_at: float, timeout: float) -> float | None:
    while time.monotonic() < restored_at + timeout:
        if service.ready_status() == 200:
            return round(time.monotonic() - restored_at, 2)
        time.sleep(0.2)
    return None
