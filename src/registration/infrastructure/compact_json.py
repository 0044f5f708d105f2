"""JSON as the service writes it, on the wire and in the outbox: compact, UTF-8 kept as is."""

import json
from typing import Any

# One encoder for every call: `json.dumps` with any option builds a new one each time.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def compact_json(value: Any) -> str:
    return _ENCODER.encode(value)
