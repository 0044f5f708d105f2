"""Accounting for one run's events: which belong to it, missing, duplicates, lag, drain time."""

import json
from datetime import UTC, datetime

import pytest
from bench.event_stats import drain_seconds, event_stats, lag_ms
from bench.events import ReceivedEvent
from bench.load import new_run_token, registration_email, run_token_of

pytestmark = pytest.mark.unit

T0 = datetime(2026, 11, 29, 0, 41, 7, tzinfo=UTC).timestamp()


def event(event_id, received_after_s=0.0, created_after_s=0.0, email="brun1-t1-1@x.example"):
    created = datetime.fromtimestamp(T0 + created_after_s, UTC).isoformat()
    return ReceivedEvent(T0 + received_after_s, event_id, email, created)


def test_lag_is_consume_time_minus_the_event_timestamp():
    assert lag_ms(event("e1", received_after_s=0.25, created_after_s=0.1)) == pytest.approx(150)


def test_a_timestamp_in_another_offset_gives_the_same_lag():
    created = datetime.fromtimestamp(T0, UTC).astimezone().isoformat()

    assert lag_ms(ReceivedEvent(T0 + 0.1, "e1", None, created)) == pytest.approx(100)


def test_a_naive_or_unreadable_timestamp_has_no_lag():
    assert lag_ms(ReceivedEvent(T0, "e1", None, "2026-11-29T00:41:07")) is None
    assert lag_ms(ReceivedEvent(T0, "e1", None, "yesterday")) is None


def test_an_event_redelivered_is_one_duplicate_not_one_more_event():
    events = [event("e1"), event("e2"), event("e2", received_after_s=0.3)]

    stats = event_stats(events, expected=2, load_ended_at=T0)

    assert (stats.received, stats.distinct, stats.duplicates, stats.missing) == (3, 2, 1, 0)


def test_fewer_distinct_events_than_answered_registrations_are_missing():
    stats = event_stats([event("e1"), event("e1")], expected=3, load_ended_at=T0)

    assert stats.missing == 2
    assert stats.drain_s is None


def test_events_of_requests_abandoned_in_flight_are_neither_missing_nor_duplicates():
    events = [event(f"e{n}") for n in range(12)]

    stats = event_stats(events, expected=10, load_ended_at=T0)

    assert (stats.missing, stats.duplicates, stats.distinct) == (0, 0, 12)


def test_drain_time_runs_from_load_end_to_the_last_expected_event():
    events = [event("e1", 0.5), event("e2", 2.0), event("e3", 1.5)]

    assert drain_seconds(events, expected=3, load_ended_at=T0 + 1.0) == pytest.approx(1.0)


def test_drain_time_counts_a_redelivered_event_at_its_first_arrival():
    events = [event("e1", 0.5), event("e2", 0.8), event("e2", 9.0)]

    assert drain_seconds(events, expected=2, load_ended_at=T0) == pytest.approx(0.8)


def test_events_that_all_arrived_during_load_drain_in_no_time():
    assert drain_seconds([event("e1", 0.5)], expected=1, load_ended_at=T0 + 3) == 0.0


def test_a_run_with_nothing_answered_has_nothing_to_drain():
    assert event_stats([], expected=0, load_ended_at=T0).drain_s == 0.0


def test_lag_percentiles_cover_the_run_and_skip_what_cannot_be_read():
    events = [event(f"e{n}", received_after_s=n / 1000) for n in range(1, 101)]
    events.append(ReceivedEvent(T0, None, None, None))

    stats = event_stats(events, expected=100, load_ended_at=T0)

    assert stats.lag_p50_ms == pytest.approx(50.5)
    assert stats.lag_p99_ms == pytest.approx(99.01)
    assert stats.malformed == 1


def test_a_body_that_is_not_a_json_object_is_recorded_without_fields():
    assert ReceivedEvent.from_body(T0, b"[1, 2]") == ReceivedEvent(T0, None, None, None)
    assert ReceivedEvent.from_body(T0, b"{broken") == ReceivedEvent(T0, None, None, None)


def test_a_contract_body_is_recorded_with_its_id_address_and_timestamp():
    body = json.dumps(
        {
            "event_id": "e1",
            "name": "RegisteredEntryEvent",
            "entry_id": "n1",
            "email": "a@x.example",
            "timestamp": "2026-11-29T00:41:07.123456+00:00",
        }
    )

    recorded = ReceivedEvent.from_body(T0, body.encode())

    assert recorded == ReceivedEvent(T0, "e1", "a@x.example", "2026-11-29T00:41:07.123456+00:00")


def test_the_run_token_is_read_back_from_an_address():
    token = new_run_token()

    assert run_token_of(registration_email(token, "t2", 17)) == token


def test_every_run_gets_its_own_token():
    assert new_run_token() != new_run_token()
