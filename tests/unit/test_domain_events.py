import json
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from registration.domain.email import Email
from registration.domain.entry import Entry
from registration.domain.events import RegisteredEntryEvent

pytestmark = pytest.mark.unit


def test_each_event_gets_its_own_id_and_time_of_creation():
    first = RegisteredEntryEvent(entry_id=uuid4(), email="a@example.com")
    second = RegisteredEntryEvent(entry_id=uuid4(), email="b@example.com")

    assert first.event_id != second.event_id
    assert first.timestamp <= second.timestamp
    assert first.timestamp.tzinfo is UTC


def test_the_wire_form_holds_json_primitives_only():
    event = RegisteredEntryEvent(entry_id=uuid4(), email="a@example.com")

    wire = event.to_dict()

    assert json.loads(json.dumps(wire)) == wire
    assert set(wire) == {"event_id", "name", "entry_id", "email", "timestamp"}
    assert wire["name"] == "RegisteredEntryEvent"
    assert UUID(wire["event_id"]) == event.event_id
    assert datetime.fromisoformat(wire["timestamp"]).utcoffset() is not None


def test_registering_an_entry_yields_the_event_that_announces_it():
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

    entry, event = Entry.register(Email.parse("Someone@Example.com"), now)

    assert (event.entry_id, event.email, event.timestamp) == (entry.id, "Someone@example.com", now)
