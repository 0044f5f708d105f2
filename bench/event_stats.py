"""What the recorded events say about one run: missing, duplicates, lag and drain time."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime

from bench.events import ReceivedEvent
from bench.stats import percentile


@dataclass(frozen=True)
class EventStats:
    expected: int  # registrations answered 2xx
    received: int  # deliveries, redeliveries included
    distinct: int  # distinct event_ids
    duplicates: int
    missing: int
    malformed: int  # deliveries without an event_id or a readable timestamp
    lag_p50_ms: float | None
    lag_p99_ms: float | None
    drain_s: float | None  # None: not every expected event arrived

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def lag_ms(event: ReceivedEvent) -> float | None:
    """Consume time minus the event's own timestamp; None when the timestamp is unreadable."""
    if event.timestamp is None:
        return None
    try:
        created = datetime.fromisoformat(event.timestamp)
    except ValueError:
        return None
    if created.tzinfo is None:  # not the contract; a naive local time cannot be compared
        return None
    return (event.received_at - created.timestamp()) * 1000


def drain_seconds(events: list[ReceivedEvent], expected: int, load_ended_at: float) -> float | None:
    """From the end of load until the expected-th distinct event arrived; None if it never did."""
    if expected == 0:
        return 0.0
    first_arrivals = sorted(_first_arrival_by_id(events).values())
    if len(first_arrivals) < expected:
        return None
    return max(0.0, first_arrivals[expected - 1] - load_ended_at)


def event_stats(events: list[ReceivedEvent], expected: int, load_ended_at: float) -> EventStats:
    """Accounts for one run's events. A request wrk abandoned in flight at the end of the run
    can still register and publish: such extra events are not counted as duplicates."""
    identified = [event for event in events if event.event_id is not None]
    distinct = len(_first_arrival_by_id(identified))
    lags = [lag for event in identified if (lag := lag_ms(event)) is not None]
    return EventStats(
        expected=expected,
        received=len(events),
        distinct=distinct,
        duplicates=len(identified) - distinct,
        missing=max(0, expected - distinct),
        malformed=len(events) - len(lags),
        lag_p50_ms=percentile(lags, 50),
        lag_p99_ms=percentile(lags, 99),
        drain_s=drain_seconds(identified, expected, load_ended_at),
    )


def _first_arrival_by_id(events: Iterable[ReceivedEvent]) -> dict[str, float]:
    first: dict[str, float] = {}
    for event in events:
        if event.event_id is not None:
            first[event.event_id] = min(
                first.get(event.event_id, event.received_at), event.received_at
            )
    return first
