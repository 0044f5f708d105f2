"""Log lines about one event carry its `event_id` and `request_id`.

As record attributes (`extra`) for structured formatters, and appended to the text so that
nameko's default `%(message)s` format shows them too.
"""

import logging
import re
from collections.abc import MutableMapping
from typing import Any

_UNSAFE = re.compile(r"[^A-Za-z0-9._:@-]")
_MAX_ID_LENGTH = 128


def safe_id(value: object) -> str | None:
    """An id as it may appear in a log line: bounded, without spaces, newlines or `%`."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = _UNSAFE.sub("_", str(value))[:_MAX_ID_LENGTH]
    return text or None


class EventLog(logging.LoggerAdapter[logging.Logger]):
    def __init__(self, logger: logging.Logger, event_id: object, request_id: object) -> None:
        super().__init__(
            logger,
            {"event_id": safe_id(event_id) or "-", "request_id": safe_id(request_id) or "-"},
        )

    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        assert self.extra is not None
        kwargs["extra"] = {**self.extra, **kwargs.get("extra", {})}
        suffix = f" [event_id={self.extra['event_id']} request_id={self.extra['request_id']}]"
        return f"{msg}{suffix}", kwargs
