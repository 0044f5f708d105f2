import json
import math
from typing import Any

from werkzeug.wrappers import Request

from registration.entrypoints.http.client_errors import (
    MalformedBody,
    MalformedJson,
    PayloadTooLarge,
    UnprocessableBody,
    UnsupportedMediaType,
)
from registration.entrypoints.http.limits import MAX_BODY_BYTES


def read_json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object, or the client error that says what is wrong with it."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType("Only the utf-8 charset is accepted.")
    declared = request.content_length
    if declared is not None and declared > MAX_BODY_BYTES:
        raise _too_large()
    # One byte past the limit says it is too long; the server never holds more of a body.
    try:
        raw = request.stream.read(MAX_BODY_BYTES + 1)
    except ValueError:  # the chunked framing broke (see http/server/connection.py)
        raise MalformedBody("The chunked transfer coding of the body is broken.") from None
    if len(raw) > MAX_BODY_BYTES:
        raise _too_large()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedJson("The body is not valid UTF-8.") from None
    try:
        document = _DECODER.decode(text)
    except (ValueError, RecursionError):
        raise MalformedJson("The body is not valid JSON.") from None
    if not isinstance(document, dict):
        raise UnprocessableBody("The body must be a JSON object.")
    return document


def _not_json(constant: str) -> Any:
    """NaN, Infinity and -Infinity: Python's json reads them, RFC 8259 has no such values."""
    raise ValueError(f"{constant} is not JSON")


def _finite(text: str) -> float:
    """1e999999 would be read as infinity: a number no JSON peer could send back."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of range")
    return number


def _without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Python keeps the last of two equal keys, another reader (a WAF, a log) may keep the first:
    such a body means two things, so it is refused."""
    document = dict(pairs)
    if len(document) != len(pairs):
        raise ValueError("duplicate key")
    return document


# Built once: `json.loads` with any option builds a new decoder for every call.
_DECODER = json.JSONDecoder(
    parse_constant=_not_json, parse_float=_finite, object_pairs_hook=_without_duplicate_keys
)


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(f"The body may be at most {MAX_BODY_BYTES} bytes.")


def required_string(document: dict[str, Any], name: str) -> str:
    value = document.get(name)
    if value is None:
        raise UnprocessableBody(f"The field {name!r} is required.")
    if not isinstance(value, str):
        raise UnprocessableBody(f"The field {name!r} must be a string.")
    return value
