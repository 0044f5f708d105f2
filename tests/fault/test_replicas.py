"""Two replicas on one database and broker, as behind a balancer: a frozen replica, a broker cut,
a database that ends every session, and a replica killed with its relay mid-batch.

Replica A reaches RabbitMQ through a link the test can cut into a blackhole: its relay claims a
batch, then waits on a broker that never answers, holding the claim as it would while waiting for
confirms. Freezing or killing A then leaves rows claimed by a relay that will never finish, and
none of them reached the broker: each of their events that arrives was sent by B.
"""

import time

import pytest
import requests

from tests.support.fault.figures import event_figures, print_summary, status_counts
from tests.support.sessions import other_sessions, terminate_every_session

pytestmark = pytest.mark.fault

WARM_UP_SECONDS = 1.5
CLAIM_HELD_SECONDS = 1.0  # after the cut: A's relay has claimed a batch and awaits the broker
AFTER_FAULT_SECONDS = 3.0
TAKEOVER_LIMIT_SECONDS = 30.0  # the promise: another replica publishes them within this
DELIVERY_TIMEOUT = 30.0


def held_claim_then(replicas, fault):
    """Load on both replicas; blackhole A's broker link so its relay holds a claim; `fault(A)`;
    more load on B. Returns (answers, fault time, sessions idle in a transaction at the fault)."""
    a, b = replicas.replicas
    load_a = replicas.load(a).start()
    load_b = replicas.load(b).start()
    time.sleep(WARM_UP_SECONDS)
    a.broker_link.cut("blackhole")
    time.sleep(CLAIM_HELD_SECONDS)
    fault(a.service)
    fault_at = time.monotonic()
    holding = len(other_sessions(replicas.database_url, state="idle in transaction"))
    time.sleep(AFTER_FAULT_SECONDS)
    answers = load_b.stop() + load_a.stop()
    return answers, fault_at, holding


def takeover_figures(replicas, answers, fault_at):
    """Whether every 202 was announced within the limit, and when the last one arrived."""
    acknowledged = {a.email for a in answers if a.status == 202}
    delivered = replicas.events.wait_for_addresses(acknowledged, TAKEOVER_LIMIT_SECONDS)
    first = replicas.events.first_arrivals()
    late = [first[e] - fault_at for e in acknowledged if e in first and first[e] > fault_at]
    return delivered, max(late, default=0.0)


def test_a_frozen_replicas_claimed_events_are_published_by_the_other_within_30_s(replicas):
    a = replicas.replicas[0]
    answers, frozen_at, holding = held_claim_then(replicas, lambda service: service.freeze())
    delivered, takeover = takeover_figures(replicas, answers, frozen_at)
    a.service.thaw()  # it wakes, finds its claim ended, and may send its batch again
    a.broker_link.restore()
    _, _, stored, result = replicas.settle(answers, DELIVERY_TIMEOUT)
    print_summary(
        "replica_frozen",
        {
            "requests": len(answers),
            "statuses": status_counts(answers),
            "sessions_idle_in_transaction_at_freeze": holding,
            "last_event_after_freeze_s": round(takeover, 2),
            **event_figures(result),
        },
    )

    assert holding >= 1, "the frozen replica held no claim: the fault was not injected"
    assert delivered, f"not every 202 was announced within {TAKEOVER_LIMIT_SECONDS}s"
    assert takeover < TAKEOVER_LIMIT_SECONDS
    assert {a.status for a in answers} <= {202, None}, status_counts(answers)
    assert not result.lost and stored.pending == 0 and not result.stored_without_event
    assert not result.phantom, f"events for entries that were not stored: {result.phantom[:5]}"
    assert not result.conflicting_event_ids, "an entry was announced under two event ids"
    assert not result.event_id_not_stored and not result.contract_violations


def test_a_replica_killed_with_its_relay_mid_batch_loses_nothing(replicas):
    answers, killed_at, holding = held_claim_then(replicas, lambda service: service.kill())
    delivered, takeover = takeover_figures(replicas, answers, killed_at)
    _, _, stored, result = replicas.settle(answers, DELIVERY_TIMEOUT)
    print_summary(
        "replica_killed_mid_batch",
        {
            "requests": len(answers),
            "statuses": status_counts(answers),
            "sessions_idle_in_transaction_at_kill": holding,
            "last_event_after_kill_s": round(takeover, 2),
            **event_figures(result),
        },
    )

    assert delivered and takeover < TAKEOVER_LIMIT_SECONDS, f"events lost: {result.lost[:5]}"
    assert not result.lost and stored.pending == 0 and not result.stored_without_event
    assert not result.phantom and not result.conflicting_event_ids
    assert not result.event_id_not_stored and not result.contract_violations


CUT_SECONDS = 5.0


def test_both_replicas_stay_ready_and_answer_202_while_the_broker_is_cut(replicas):
    loads = [replicas.load(replica).start() for replica in replicas.replicas]
    time.sleep(WARM_UP_SECONDS)
    for replica in replicas.replicas:
        replica.broker_link.cut("refuse")
    time.sleep(CUT_SECONDS / 2)
    ready = [replica.service.readiness() for replica in replicas.replicas]
    health = [
        requests.get(f"{replica.service.management_url}/health", timeout=5)
        for replica in replicas.replicas
    ]
    time.sleep(CUT_SECONDS / 2)
    for replica in replicas.replicas:
        replica.broker_link.restore()
    time.sleep(AFTER_FAULT_SECONDS)
    answers = [answer for load in loads for answer in load.stop()]
    _, delivered, stored, result = replicas.settle(answers, DELIVERY_TIMEOUT)
    print_summary(
        "replicas_broker_cut",
        {
            "requests": len(answers),
            "statuses": status_counts(answers),
            "ready_during_cut": [status for status, _ in ready],
            **event_figures(result),
        },
    )

    assert [status for status, _ in ready] == [200, 200], ready
    assert [h.status_code for h in health] == [200, 200]
    assert all(h.json()["checks"]["broker"]["status"] == "failing" for h in health)
    assert all(h.json()["status"] == "degraded" for h in health)
    assert {a.status for a in answers} == {202}, status_counts(answers)
    assert delivered and not result.lost and stored.pending == 0
    assert not result.phantom and not result.conflicting_event_ids


REGISTRATIONS_AFTER = 50


def test_no_registration_fails_after_the_database_ended_every_session(replicas):
    loads = [replicas.load(replica).start() for replica in replicas.replicas]
    time.sleep(WARM_UP_SECONDS)
    warm = [answer for load in loads for answer in load.stop()]
    carried = [replica.database_link.connections_accepted() for replica in replicas.replicas]
    ended = terminate_every_session(replicas.database_url)
    # The test's proxies stand in the path: the service sees the end once they passed it on.
    for replica, count in zip(replicas.replicas, carried, strict=True):
        assert replica.database_link.wait_until_ended(count), "the proxy kept a session open"
    after = []
    for number in range(REGISTRATIONS_AFTER):
        replica = replicas.replicas[number % 2]
        load = replicas.load(replica, name=f"after{number}", clients=1, max_requests=1)
        after.extend(load.start().stop())
    answers = warm + after
    _, delivered, stored, result = replicas.settle(answers, DELIVERY_TIMEOUT)
    print_summary(
        "replicas_sessions_terminated",
        {
            "sessions_ended": ended,
            "statuses_after": status_counts(after),
            **event_figures(result),
        },
    )

    assert ended >= 2, "the replicas held no sessions to end"
    assert status_counts(after) == {"202": REGISTRATIONS_AFTER}, [a.body for a in after][:3]
    assert delivered and not result.lost and stored.pending == 0, "the relays did not recover"
    assert not result.phantom and not result.conflicting_event_ids
