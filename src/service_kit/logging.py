"""Log lines for both services: JSON or text, with service and request id, no address in clear.

A line of an HTTP request whose client sent an `X-Request-ID` also carries that value as
`client_request_id`: a JSON string in JSON lines, a quoted and escaped literal in text lines.
One that came through a balancer carries the client's address it forwarded as `forwarded_for`.
IP addresses are shown whole: a balancer's own access log has them already, and an operator
needs them whole to block a flood at the edge.

`config.yml`'s LOGGING section names these factories; `nameko run` applies it with
`logging.config.dictConfig`, so the registration service and the welcome subscriber share it.
"""

import json
import logging
import logging.config
import time
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from service_kit.address_masking import mask_addresses
from service_kit.request_context import (
    current_client_request_id,
    current_forwarded_for,
    current_request_id,
)

# `client_request`: empty, or ` client_request_id="…"` and ` forwarded_for=…` from
# UtcTextFormatter
TEXT_FORMAT = (
    "%(asctime)s %(levelname)s %(service)s %(name)s [%(request_id)s%(client_request)s] %(message)s"
)
JSON_FIELDS = ["levelname", "name", "message", "service", "request_id"]
JSON_NAMES = {"levelname": "level", "name": "logger"}


def configure_logging(config: dict[str, Any]) -> None:
    """For the command-line tools: what `nameko run` does with config.yml's LOGGING section."""
    if "LOGGING" in config:
        logging.config.dictConfig(config["LOGGING"])
    else:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


class UtcTextFormatter(logging.Formatter):
    """Text lines in UTC, in which a client's `X-Request-ID` cannot pass for a field or a line."""

    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"

    def formatMessage(self, record: logging.LogRecord) -> str:
        client_request_id = getattr(record, "client_request_id", None)
        forwarded_for = getattr(record, "forwarded_for", None)
        if client_request_id is None and forwarded_for is None:
            return super().formatMessage(record)
        # a copy: the record goes on to other handlers (a JSON one) that must not see this field
        copy = logging.makeLogRecord(vars(record))
        copy.client_request = ""
        if client_request_id is not None:
            copy.client_request += f" client_request_id={_quoted_for_text(str(client_request_id))}"
        if forwarded_for is not None:  # an IP address (request_context): nothing to escape
            copy.client_request += f" forwarded_for={forwarded_for}"
        return super().formatMessage(copy)


def _quoted_for_text(value: str) -> str:
    """A JSON string literal, ASCII only, with brackets escaped as well: the request id's
    `[...]` ends at the first `]`, and a `"` cannot close the quote early."""
    return json.dumps(value, ensure_ascii=True).replace("[", "\\u005b").replace("]", "\\u005d")


def formatter(format: str = "text") -> logging.Formatter:
    """JSON lines (timestamp in ISO-8601 UTC, extra fields kept) for `json`, text otherwise."""
    if str(format).strip().lower() == "json":
        return JsonFormatter(
            JSON_FIELDS, rename_fields=JSON_NAMES, timestamp=True, json_ensure_ascii=False
        )
    # "-" for a service or request id the record does not have, nothing for no client id
    return UtcTextFormatter(
        TEXT_FORMAT, defaults={"service": "-", "request_id": "-", "client_request": ""}
    )


class RequestContextFilter(logging.Filter):
    """Adds `service` and `request_id` when known; a `request_id` given in `extra` wins over the
    context's (the welcome subscriber passes the event's `x-request-id` that way). A line that
    takes the context's request id also takes its client's `X-Request-ID`, if any, as
    `client_request_id`, and the forwarded address as `forwarded_for`: they belong to that
    request and no other."""

    def __init__(self, service: str | None = None) -> None:
        super().__init__()
        self.service = service or None

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None and (request := current_request_id()):
            record.request_id = request
            if (client_request_id := current_client_request_id()) is not None:
                record.client_request_id = client_request_id
            if (forwarded_for := current_forwarded_for()) is not None:
                record.forwarded_for = forwarded_for
        if getattr(record, "service", None) is None and self.service is not None:
            record.service = self.service
        return True


class ExpectedErrorsWithoutTraceback(logging.Filter):
    """nameko logs an entrypoint's expected exception (a refused mail, a broken payload) as a
    warning with its whole traceback; the entrypoint's own line already says what went wrong
    and what happens next, so the traceback only buries it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "nameko.containers" and str(record.msg).startswith("(expected)"):
            record.exc_info, record.exc_text = None, None
        return True


_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_TRACEBACKS = logging.Formatter()


class RedactEmailAddresses(logging.Filter):
    """Masks addresses in the message with its args, the traceback and any `extra` text.

    The message is formatted here, once, so whatever an argument's type its text is masked.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask_addresses(_message_of(record)), None
        if record.exc_info:
            # formatters would render exc_info afresh, unmasked: keep only the masked text
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = mask_addresses(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_addresses(record.stack_info)
        for name, value in list(vars(record).items()):
            if name not in _RECORD_ATTRIBUTES and isinstance(value, str):
                setattr(record, name, mask_addresses(value))
        return True


def _message_of(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # args that do not fit the format: keep both, never lose the line
        args: Any = record.args
        return f"{record.msg} {args!r}"
