"""Machine-readable contracts of the service: OpenAPI and AsyncAPI documents, and the event
schemas, which live in the contract package (`registration_contract`) its subscribers install.

The documents are cached and shared between callers: treat them as read-only.
"""

import copy
import json
from functools import cache, lru_cache
from importlib import resources
from typing import Any
from urllib.parse import unquote, urlsplit

from registration_contract.schemas import EVENT_TYPES, event_schema

__all__ = [
    "asyncapi_document",
    "event_schema",
    "openapi_document",
]

_DEFAULT_PORTS = {"amqp": 5672, "amqps": 5671}


def _load(name: str) -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath(name).read_text("utf-8"))  # type: ignore[no-any-return]


@cache
def openapi_document() -> dict[str, Any]:
    """OpenAPI 3.1 description of the HTTP API, as served at /openapi.json."""
    return _load("openapi.json")


@lru_cache(maxsize=8)
def asyncapi_document(amqp_uri: str | None = None) -> dict[str, Any]:
    """AsyncAPI 3.0 description of the events, as served at /asyncapi.json.

    The payload schemas are the contract package's own (made from its payload types), so they never
    disagree. With `amqp_uri` (the service's AMQP_URI) the server entry names that broker,
    without credentials.
    """
    document = _load("asyncapi.json")
    for name in EVENT_TYPES:
        payload = copy.deepcopy(event_schema(name))
        # `$id` would re-base references inside the AsyncAPI document; `$schema` is implied there.
        payload.pop("$schema", None)
        payload.pop("$id", None)
        document["components"]["schemas"][name] = payload
    if amqp_uri:
        _describe_broker(document, amqp_uri)
    return document


def _describe_broker(document: dict[str, Any], amqp_uri: str) -> None:
    parts = urlsplit(amqp_uri)
    protocol = parts.scheme if parts.scheme in _DEFAULT_PORTS else "amqp"
    host = parts.hostname or "localhost"
    if ":" in host:  # an IPv6 literal keeps its brackets next to a port
        host = f"[{host}]"
    vhost = unquote(parts.path[1:]) or "/"
    server = document["servers"]["rabbitmq"]
    server["protocol"] = protocol
    server["host"] = f"{host}:{parts.port or _DEFAULT_PORTS[protocol]}"
    server["pathname"] = vhost if vhost.startswith("/") else f"/{vhost}"
    for channel in document["channels"].values():
        channel["bindings"]["amqp"]["exchange"]["vhost"] = vhost
