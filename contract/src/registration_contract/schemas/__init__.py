"""The JSON Schemas (2020-12) of the event payloads, made from their TypedDicts in `events`: the
one copy the service documents and its subscribers validate against. The returned dicts are
cached and shared: treat them as read-only.
"""

from functools import cache
from typing import Annotated, Any, Literal, Never, NotRequired, get_args, get_origin, get_type_hints

from registration_contract.events import EVENT_PAYLOADS, Field
from registration_contract.service import EVENTS_EXCHANGE

_GROWTH = (
    "Events can grow: a subscriber accepts fields it does not know (additive fields are"
    " compatible; removing, renaming or retyping a field makes a new event type)."
)


def event_type_of(payload: type) -> str:
    """An event type, as its payload's `name` declares it."""
    (event_type,) = get_args(get_type_hints(payload)["name"])
    return str(event_type)


EVENT_TYPES: tuple[str, ...] = tuple(event_type_of(payload) for payload in EVENT_PAYLOADS)


@cache
def event_schema(event_type: str) -> dict[str, Any]:
    """The JSON Schema of one event type's payload (KeyError for a type the service never sends)."""
    payload: Any = dict(zip(EVENT_TYPES, EVENT_PAYLOADS, strict=True))[event_type]
    fields = get_type_hints(payload, include_extras=True)
    description = " ".join((payload.__doc__ or "").split())
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:nameko-registration:events:{event_type}",
        "title": event_type,
        "description": f"{description} Sent on exchange {EVENTS_EXCHANGE} with routing key"
        f" {event_type}. {_GROWTH}",
        "type": "object",
        "required": [name for name in fields if name in payload.__required_keys__],
        "properties": {name: _field_schema(hint) for name, hint in fields.items()},
    }


def _field_schema(hint: Any) -> dict[str, Any]:
    keywords: dict[str, Any] = {}
    if get_origin(hint) is Annotated:
        hint, *extras = get_args(hint)
        for extra in extras:
            if isinstance(extra, Field):
                keywords.update(extra.keywords)
    if get_origin(hint) is NotRequired:
        (hint,) = get_args(hint)
    if hint is Never:
        return {"not": {}, **keywords}
    if get_origin(hint) is Literal:
        (value,) = get_args(hint)
        return {"type": "string", "const": value, **keywords}
    if hint is str:
        return {"type": "string", **keywords}
    raise TypeError(f"no JSON Schema for a payload field of type {hint!r}")
