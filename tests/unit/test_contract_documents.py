"""The published contracts are valid documents, say what the service does, and their examples hold.

The AsyncAPI document is checked against the official AsyncAPI 3.0.0 JSON Schema, vendored in
tests/vendor/asyncapi-specs (its version and source in SOURCE.md there): no PyPI package ships it.
"""

import copy
import hashlib
import json
import re
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
import pytest
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from registration.contracts import asyncapi_document, event_schema, openapi_document
from registration.entrypoints.http.route import ApiRoute, ManagementRoute
from registration.entrypoints.service import RegistrationHttpService

pytestmark = pytest.mark.unit

REPO_ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI_3_0_0_SCHEMA = (
    REPO_ROOT / "tests" / "vendor" / "asyncapi-specs" / "asyncapi-3.0.0-without-id.schema.json"
)
# of `schemas/3.0.0-without-$id.json` in npm's @asyncapi/specs 6.11.1
ASYNCAPI_3_0_0_SCHEMA_SHA256 = "abe96881dbfaad495ccbb6bd8d3fb43ca18a13b9d7564849ccb66f39d5e5b20f"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
REQUEST_ID = "X-Request-ID"

AN_EVENT = {
    "event_id": "3f1c2b7e-9a4d-4c5e-8f60-1a2b3c4d5e6f",
    "name": "RegisteredEntryEvent",
    "entry_id": "7d9e8f00-1b2c-4d3e-a4f5-6a7b8c9d0e1f",
    "email": "grace@example.org",
    "timestamp": "2026-11-29T00:41:07.123456+00:00",
}


# --- helpers -----------------------------------------------------------------------------------


def _resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow local `$ref`s until a real object is reached."""
    while isinstance(node, dict) and "$ref" in node:
        reference = node["$ref"]
        assert reference.startswith("#/"), f"not a local reference: {reference}"
        node = document
        for segment in reference[2:].split("/"):
            node = node[segment.replace("~1", "/").replace("~0", "~")]
    return node


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def _openapi_examples(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """(JSON pointer of a schema, example) for every example written in an OpenAPI document."""
    if isinstance(node, dict):
        if "schema" in node and "example" in node:
            yield f"{pointer}/schema", node["example"]
        if "schema" in node and isinstance(node.get("examples"), dict):
            for example in node["examples"].values():
                yield f"{pointer}/schema", example["value"]
        if "schema" not in node and isinstance(node.get("examples"), list):
            for example in node["examples"]:  # a Schema Object's own examples
                yield pointer, example
        for key, value in node.items():
            yield from _openapi_examples(value, f"{pointer}/{_escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _openapi_examples(value, f"{pointer}/{index}")


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _event_validator() -> jsonschema.protocols.Validator:
    schema = event_schema("RegisteredEntryEvent")
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def asyncapi_validator() -> jsonschema.Draft7Validator:
    schema = json.loads(ASYNCAPI_3_0_0_SCHEMA.read_text("utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_vendored_asyncapi_schema_is_the_published_one_unchanged() -> None:
    digest = hashlib.sha256(ASYNCAPI_3_0_0_SCHEMA.read_bytes()).hexdigest()

    assert digest == ASYNCAPI_3_0_0_SCHEMA_SHA256


# --- OpenAPI -----------------------------------------------------------------------------------


def test_openapi_document_is_valid_openapi_3_1() -> None:
    document = openapi_document()

    validate_openapi(document)

    assert document["openapi"] == "3.1.0"


def test_openapi_version_is_the_package_version() -> None:
    assert openapi_document()["info"]["version"] == version("nameko-registration")


def _routes_of_the_service() -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every public HTTP entrypoint the service class declares: the
    operators' listener is no part of the public API."""
    routes = set()
    for member in vars(RegistrationHttpService).values():
        for entrypoint in getattr(member, "nameko_entrypoints", ()):
            if isinstance(entrypoint, ApiRoute) and not isinstance(entrypoint, ManagementRoute):
                path = re.sub(r"<(\w+)>", r"{\1}", entrypoint.url)
                routes.add((path, entrypoint.method.lower()))
    return routes


def test_openapi_describes_every_route_of_the_service() -> None:
    routes = {(path, method) for path, method, _ in _operations(openapi_document())}

    assert ("/register", "post") in routes
    assert routes == _routes_of_the_service()


def test_every_operation_accepts_an_optional_request_id_header() -> None:
    document = openapi_document()
    for path, method, operation in _operations(document):
        parameters = [_resolve(document, p) for p in operation.get("parameters", [])]
        headers = [p for p in parameters if p["in"] == "header" and p["name"] == REQUEST_ID]

        assert len(headers) == 1, f"{method.upper()} {path}"
        assert headers[0].get("required", False) is False, f"{method.upper()} {path}"


# The HTTP layer answers an oversized head itself, before a request (and its id) exists.
ANSWERED_BEFORE_ANY_REQUEST = {"431"}


def test_every_response_documents_the_request_id_header() -> None:
    document = openapi_document()
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status in ANSWERED_BEFORE_ANY_REQUEST:
                continue
            headers = _resolve(document, response).get("headers", {})

            assert REQUEST_ID in headers, f"{method.upper()} {path} {status}"


def test_every_operation_documents_a_client_error_and_an_empty_security_requirement() -> None:
    document = openapi_document()

    assert document["security"] == [{}], "unauthenticated by design, said the OpenAPI way"
    for path, method, operation in _operations(document):
        assert any(status.startswith("4") for status in operation["responses"]), f"{method} {path}"


def test_registration_errors_are_problem_details() -> None:
    document = openapi_document()
    responses = document["paths"]["/register"]["post"]["responses"]

    assert set(responses) == {"202", "400", "413", "415", "422", "500", "503"}
    for status in set(responses) - {"202"}:
        content = _resolve(document, responses[status])["content"]
        assert list(content) == ["application/problem+json"], status
        assert content["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }


def test_a_registration_answers_one_neutral_202_without_an_entry_or_its_location() -> None:
    document = openapi_document()
    accepted = document["paths"]["/register"]["post"]["responses"]["202"]

    assert accepted["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Accepted"
    }
    assert set(accepted["headers"]) == {"X-Request-ID"}
    assert "id" not in document["components"]["schemas"]["Accepted"]["properties"]
    assert document["components"]["schemas"]["Entry"]["required"] == [
        "id",
        "email",
        "status",
        "registered_at",
        "confirmed_at",
    ]


def test_a_problem_requires_the_rfc_9457_members() -> None:
    problem = openapi_document()["components"]["schemas"]["Problem"]

    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert {"instance", "request_id"} <= set(problem["properties"])


def test_each_problem_example_carries_the_status_of_its_response() -> None:
    document = openapi_document()
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            content = _resolve(document, response).get("content", {})
            if "application/problem+json" in content:
                example = content["application/problem+json"]["example"]
                assert example["status"] == int(status), f"{method.upper()} {path} {status}"


def test_openapi_examples_validate_against_their_own_schemas() -> None:
    document = openapi_document()
    registry = Registry().with_resource(
        "urn:openapi", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    examples = list(_openapi_examples(document))

    assert len(examples) > 10
    for pointer, example in examples:
        validator = jsonschema.Draft202012Validator(
            {"$ref": "urn:openapi#" + quote(pointer, safe="/~")},
            registry=registry,
            format_checker=jsonschema.FormatChecker(),
        )
        validator.validate(example)


# --- AsyncAPI ----------------------------------------------------------------------------------


def test_asyncapi_document_is_valid_against_the_official_asyncapi_3_0_0_schema(
    asyncapi_validator: jsonschema.Draft7Validator,
) -> None:
    errors = [error.message for error in asyncapi_validator.iter_errors(asyncapi_document())]

    assert errors == []


def test_the_asyncapi_schema_check_rejects_an_asyncapi_2_operation(
    asyncapi_validator: jsonschema.Draft7Validator,
) -> None:
    document = copy.deepcopy(asyncapi_document())
    document["operations"]["publishRegisteredEntryEvent"]["action"] = "publish"

    assert not asyncapi_validator.is_valid(document)


def test_asyncapi_document_is_self_contained() -> None:
    document = asyncapi_document()

    for reference in _references(document):
        assert _resolve(document, {"$ref": reference}) is not None, reference


EVENT_SCHEMAS = {
    "ConfirmationRequested": lambda: event_schema("ConfirmationRequested"),
    "RegisteredEntryEvent": lambda: event_schema("RegisteredEntryEvent"),
    "EntryErased": lambda: event_schema("EntryErased"),
}
# the message, its channel and its operation in the AsyncAPI document
EVENT_NAMES = {
    "ConfirmationRequested": ("confirmationRequestedEvents", "publishConfirmationRequested"),
    "RegisteredEntryEvent": ("registeredEntryEvents", "publishRegisteredEntryEvent"),
    "EntryErased": ("entryErasedEvents", "publishEntryErased"),
}


@pytest.mark.parametrize("event", EVENT_SCHEMAS)
def test_asyncapi_payload_is_the_event_schema_file(event: str) -> None:
    document = asyncapi_document()
    message = document["components"]["messages"][event]
    expected = {
        key: value for key, value in EVENT_SCHEMAS[event]().items() if key not in ("$schema", "$id")
    }

    assert _resolve(document, message["payload"]) == expected


@pytest.mark.parametrize("event", EVENT_NAMES)
def test_asyncapi_describes_the_published_event(event: str) -> None:
    document = asyncapi_document()
    channel_name, operation_name = EVENT_NAMES[event]
    channel = document["channels"][channel_name]
    operation = document["operations"][operation_name]
    message = document["components"]["messages"][event]

    assert channel["address"] == event
    assert channel["messages"][event]["$ref"] == f"#/components/messages/{event}"
    assert channel["bindings"]["amqp"]["is"] == "routingKey"
    exchange = channel["bindings"]["amqp"]["exchange"]
    assert (exchange["name"], exchange["type"], exchange["durable"]) == (
        "nameko_registration_service.events",
        "topic",
        True,
    )
    assert operation["action"] == "send"
    assert operation["bindings"]["amqp"]["deliveryMode"] == 2
    assert operation["bindings"]["amqp"]["cc"] == [event]
    assert message["bindings"]["amqp"]["messageType"] == event
    assert message["contentType"] == "application/json"
    assert message["correlationId"]["location"] == "$message.header#/x-request-id"
    assert "x-request-id" in message["headers"]["properties"]


def test_asyncapi_tells_subscribers_to_deduplicate_by_event_id() -> None:
    description = asyncapi_document()["info"]["description"]

    assert "at least once" in description
    assert "event_id" in description


def test_asyncapi_names_the_default_broker_without_configuration() -> None:
    server = asyncapi_document()["servers"]["rabbitmq"]

    assert (server["protocol"], server["host"]) == ("amqp", "localhost:5672")


def test_asyncapi_names_the_configured_broker_without_its_credentials() -> None:
    document = asyncapi_document("amqp://app:s3cret@rabbitmq:5673/registration")
    server = document["servers"]["rabbitmq"]

    assert (server["host"], server["pathname"]) == ("rabbitmq:5673", "/registration")
    assert "s3cret" not in json.dumps(document)


def test_asyncapi_examples_validate_against_the_message_schemas() -> None:
    document = asyncapi_document()
    for name, message in document["components"]["messages"].items():
        payload_schema = _resolve(document, message["payload"])
        assert message["examples"], name
        for example in message["examples"]:
            jsonschema.Draft7Validator(message["headers"]).validate(example["headers"])
            jsonschema.Draft202012Validator(
                payload_schema, format_checker=jsonschema.FormatChecker()
            ).validate(example["payload"])


# --- the event payload with format checking ----------------------------------------------------


def test_date_time_formats_are_really_checked() -> None:
    # jsonschema skips a format silently when its optional checker is not installed.
    assert "date-time" in jsonschema.FormatChecker.checkers, "pip install rfc3339-validator"


def test_an_event_as_published_validates_with_format_checking() -> None:
    _event_validator().validate(AN_EVENT)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_id", "not-a-uuid"),
        ("entry_id", "7d9e8f001b2c4d3ea4f5"),
        ("timestamp", "2026-11-29T00:41:07"),  # no UTC offset
        ("timestamp", "yesterday"),
        ("email", "no-at-sign"),
        ("name", "SomethingElse"),
    ],
)
def test_an_event_with_a_malformed_field_is_rejected(field: str, value: str) -> None:
    assert not _event_validator().is_valid(AN_EVENT | {field: value})


def test_an_event_with_an_additive_field_is_accepted() -> None:
    # events can grow: a subscriber on this schema keeps accepting a newer publisher's events
    assert _event_validator().is_valid(AN_EVENT | {"surprise": 1})


@pytest.mark.parametrize("field", ["event_id", "name", "entry_id", "email", "timestamp"])
def test_an_event_without_a_required_field_is_rejected(field: str) -> None:
    assert not _event_validator().is_valid({k: v for k, v in AN_EVENT.items() if k != field})


def _erased_validator() -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(
        event_schema("EntryErased"), format_checker=jsonschema.FormatChecker()
    )


def test_an_erasure_event_as_the_domain_makes_it_validates() -> None:
    from datetime import UTC, datetime
    from uuid import uuid4

    from registration.domain.events import EntryErased

    wire = EntryErased(entry_id=uuid4(), timestamp=datetime.now(UTC)).to_dict()

    _erased_validator().validate(wire)
    assert set(wire) == {"event_id", "name", "entry_id", "timestamp"}


def test_an_erasure_event_with_an_additive_field_is_accepted() -> None:
    erased = {key: value for key, value in AN_EVENT.items() if key != "email"}
    erased["name"] = "EntryErased"

    assert _erased_validator().is_valid(erased | {"reason": "requested by the person"})


def test_an_erasure_event_carrying_an_address_breaks_its_contract() -> None:
    erased = {key: value for key, value in AN_EVENT.items() if key != "email"}
    erased["name"] = "EntryErased"

    assert _erased_validator().is_valid(erased)
    assert not _erased_validator().is_valid(erased | {"email": AN_EVENT["email"]})
