"""The JSON Schemas (2020-12) of the event payloads: the one copy the service documents and its
subscribers validate against. The returned dicts are cached and shared: treat them as read-only.
"""

import json
from functools import cache
from importlib import resources
from typing import Any


def _load(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@cache
def registered_entry_event_schema() -> dict[str, Any]:
    return _load("registered_entry_event.schema.json")


@cache
def entry_erased_schema() -> dict[str, Any]:
    return _load("entry_erased.schema.json")
