"""The contract package says what the service does: its names, and errors a caller gets typed."""

import pytest
from nameko.exceptions import get_module_path

import registration.entrypoints.service  # noqa: F401  every use case's errors, imported
import registration_contract
from registration import contracts
from registration.bootstrap import EVENTS_EXCHANGE, SERVICE_NAME
from registration.entrypoints.rpc import typed_errors
from registration_contract import errors
from registration_contract.schemas import registered_entry_event_schema

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
    published = registered_entry_event_schema()

    assert (
        schemas[registration_contract.REGISTERED_ENTRY_EVENT]["required"] == published["required"]
    )
