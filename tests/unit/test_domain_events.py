import json
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from registration.domain.events import EntryEvent, RegisteredEntryEvent
from tests.support.registration.entries import ERASE_URL, new_entry

pytestmark = pytest.mark.unit


def test_each_event_gets_its_own_id_and_time_of_creation():
    first = RegisteredEntryEvent(entry_id=uuid4(), email="a@example.com", erase_url=ERASE_URL)
    second = RegisteredEntryEvent(entry_id=uuid4(), email="b@example.com", erase_url=ERASE_URL)

    assert first.event_id != second.event_id
    assert first.timestamp <= second.timestamp
    assert first.timestamp.tzinfo is UTC


def test_the_wire_form_holds_json_primitives_only():
    event = RegisteredEntryEvent(entry_id=uuid4(), email="a@example.com", erase_url=ERASE_URL)

    wire = event.to_dict()

    assert json.loads(json.dumps(wire)) == wire
    assert set(wire) == {"event_id", "name", "entry_id", "email", "erase_url", "timestamp"}
    assert wire["name"] == "RegisteredEntryEvent"
    assert UUID(wire["event_id"]) == event.event_id
    assert datetime.fromisoformat(wire["timestamp"]).utcoffset() is not None


def test_confirming_an_entry_yields_the_event_that_announces_it():
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    entry, _ = new_entry("Someone@Example.com", now)

    confirmed, event = entry.confirm(now, ERASE_URL)

    assert (event.entry_id, event.email, event.timestamp) == (entry.id, "Someone@example.com", now)
    assert (confirmed.confirmed_at, confirmed.version) == (now, entry.version + 1)


def test_an_event_type_is_its_class_name_not_a_field():
    event = RegisteredEntryEvent(entry_id=uuid4(), email="a@example.com", erase_url=ERASE_URL)

    assert RegisteredEntryEvent.event_type == event.event_type == "RegisteredEntryEvent"
    assert "event_type" not in event.to_dict()


@pytest.mark.parametrize("field_name", ["name", "event_type", "event_id", "timestamp"])
def test_a_field_named_like_the_envelope_is_refused_when_the_event_is_defined(field_name):
    with pytest.raises(TypeError, match=field_name):

        @dataclass(frozen=True, kw_only=True)
        class Renamed(EntryEvent):
            __annotations__ = {field_name: str}


def test_an_event_grows_by_a_field_and_keeps_its_envelope():
    @dataclass(frozen=True, kw_only=True)
    class Grown(EntryEvent):
        display_name: str

    wire = Grown(entry_id=uuid4(), display_name="Ada").to_dict()

    assert (wire["name"], wire["display_name"]) == ("Grown", "Ada")
