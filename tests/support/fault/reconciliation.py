"""Answers, events and stored rows compared: what was lost, invented or sent twice."""

from dataclasses import dataclass, field
from functools import cache

import jsonschema

from registration.contracts import event_schema
from tests.support.fault import ANNOUNCED_EVENT
from tests.support.fault.event_collector import ReceivedEvent
from tests.support.fault.load_driver import Answer
from tests.support.fault.stored_state import StoredState


@dataclass
class Reconciliation:
    """Keyed by address, as the client knows its registrations (each address of a load is new)."""

    acknowledged: int = 0  # distinct addresses answered 202
    events: int = 0  # deliveries seen for this run
    distinct_events: int = 0
    # A 202 whose address never produced an event.
    lost: list[str] = field(default_factory=list)
    # A stored entry that never produced an event (its request may have had no answer).
    stored_without_event: list[str] = field(default_factory=list)
    # An event for an entry the database does not hold, or with another address than stored.
    phantom: list[str] = field(default_factory=list)
    # A stored address whose request got no 202 (e.g. the answer was lost to a cut or a kill), yet
    # its event went out: the entry exists, so this is no phantom, but the client never heard.
    delivered_without_202: list[str] = field(default_factory=list)
    # An address announced under two different event ids: a redelivery must repeat the same one.
    conflicting_event_ids: list[str] = field(default_factory=list)
    # An event whose id is not the one stored in its entry's outbox row.
    event_id_not_stored: list[str] = field(default_factory=list)
    # Events breaking the contract (schema, message_id, x-request-id header).
    contract_violations: list[str] = field(default_factory=list)

    @property
    def redeliveries(self) -> int:
        return self.events - self.distinct_events


def reconcile(
    answers: list[Answer], ours: list[ReceivedEvent], stored: StoredState
) -> Reconciliation:
    """`ours`: the events of this run (the collector keeps only those of its address prefix)."""
    acknowledged = {a.email for a in answers if a.status == 202}
    by_address: dict[str, set[str]] = {}
    for event in ours:
        by_address.setdefault(event.email, set()).add(event.event_id)
    stored_addresses = stored.addresses()
    result = Reconciliation(
        acknowledged=len(acknowledged),
        events=len(ours),
        distinct_events=len({e.event_id for e in ours}),
    )
    result.lost = sorted(acknowledged - by_address.keys())
    result.stored_without_event = sorted(stored_addresses - by_address.keys())
    result.phantom = sorted(e.event_id for e in ours if stored.entries.get(e.entry_id) != e.email)
    result.delivered_without_202 = sorted((by_address.keys() & stored_addresses) - acknowledged)
    result.conflicting_event_ids = sorted(k for k, ids in by_address.items() if len(ids) > 1)
    result.event_id_not_stored = sorted(
        e.event_id for e in ours if stored.outbox_event_ids.get(e.entry_id) != e.event_id
    )
    result.contract_violations = sorted(
        f"{e.event_id}: {problem}" for e in ours for problem in contract_problems(e)
    )
    return result


def contract_problems(event: ReceivedEvent, event_type: str = ANNOUNCED_EVENT) -> list[str]:
    """How a delivered event breaks the contract of its type; empty if it keeps it."""
    validator = _event_validator(event_type)
    problems = [f"schema: {error.message}" for error in validator.iter_errors(event.body)]
    if event.message_id != event.event_id:
        problems.append(f"message_id {event.message_id!r} is not the event_id")
    if not event.headers.get("x-request-id"):
        problems.append("no x-request-id header")
    return problems


@cache
def _event_validator(event_type: str) -> jsonschema.protocols.Validator:
    schema = event_schema(event_type)
    validator = jsonschema.validators.validator_for(schema)
    return validator(schema, format_checker=validator.FORMAT_CHECKER)
