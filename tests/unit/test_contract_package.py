"""The contract package says what the service does: its names, and errors a caller gets typed."""

from dataclasses import fields
from uuid import uuid4

import pytest
from jsonschema import Draft202012Validator
from nameko.exceptions import get_module_path

import registration.entrypoints.service  # noqa: F401  every use case's errors, imported
import registration_contract
from registration import contracts
from registration.bootstrap import EVENTS_EXCHANGE, SERVICE_NAME
from registration.domain.events import DomainEvent
from registration.entrypoints.rpc import typed_errors
from registration_contract import errors
from registration_contract.schemas import EVENT_TYPES, event_schema

pytestmark = pytest.mark.unit


def test_the_contract_names_the_service_and_its_exchange() -> None:
    assert (registration_contract.SERVICE_NAME, registration_contract.EVENTS_EXCHANGE) == (
        SERVICE_NAME,
        EVENTS_EXCHANGE,
    )


def test_the_contracts_errors_are_named_as_the_services() -> None:
    assert sorted(error.__name__ for error in errors.WIRE_PATHS.values()) == sorted(
        error.__name__ for error in typed_errors()
    )


def test_each_contract_error_stands_under_the_path_nameko_sends_for_the_services() -> None:
    # nameko's deserializer matches `exc_path`, the service-side module path plus class name
    sent = {get_module_path(error): error.__name__ for error in typed_errors()}

    assert {path: error.__name__ for path, error in errors.WIRE_PATHS.items()} == sent


def test_the_asyncapi_document_embeds_the_contracts_schemas() -> None:
    schemas = contracts.asyncapi_document()["components"]["schemas"]
    published = event_schema("RegisteredEntryEvent")

    assert (
        schemas[registration_contract.REGISTERED_ENTRY_EVENT]["required"] == published["required"]
    )


def _published_event_classes() -> list[type[DomainEvent]]:
    leaves, pending = [], [DomainEvent]
    while pending:
        kind = pending.pop()
        children = kind.__subclasses__()
        pending.extend(children)
        if not children:
            leaves.append(kind)
    return leaves


def test_every_event_the_core_makes_is_declared_in_the_contract_with_its_wire_keys() -> None:
    wire_keys = {
        kind.event_type: {f.name for f in fields(kind)} | {"name"}
        for kind in _published_event_classes()
    }

    assert set(wire_keys) == set(EVENT_TYPES)
    for event_type, keys in wire_keys.items():
        schema = event_schema(event_type)
        never = {name for name, field in schema["properties"].items() if "not" in field}
        # what the core sends is declared (optional only for events stored before it existed)
        assert set(schema["required"]) <= keys == set(schema["properties"]) - never, event_type


def test_a_payload_field_typed_never_is_refused_by_the_schema() -> None:
    validator = Draft202012Validator(event_schema("EntryErased"))
    event = {"event_id": str(uuid4()), "name": "EntryErased", "entry_id": str(uuid4())}
    event["timestamp"] = "2026-12-04T00:00:00+00:00"

    assert validator.is_valid(event)
    assert validator.is_valid({**event, "later_field": 1})
    assert not validator.is_valid({**event, "email": "ada@example.com"})
