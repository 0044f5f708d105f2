"""The id of the request being served, for logs and for the events it causes.

The request id is the service's own: it goes into the response, the logs, the outbox and the
events. A client's `X-Request-ID` is only a remark of the client's, kept beside it for the logs;
it never becomes the request id, so a client cannot choose what other services and mails trust.

The client's address as the balancer in front saw it (the last address of `X-Forwarded-For`) is
kept the same way, for the logs only: an operator can tell whose requests a flood is made of.

A context variable is per greenlet under eventlet, so concurrent workers never see each other's.
"""

import ipaddress
import random
import re
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_client_request_id: ContextVar[str | None] = ContextVar("client_request_id", default=None)
_forwarded_for: ContextVar[str | None] = ContextVar("forwarded_for", default=None)

# Printable ASCII without spaces, bounded: anything else from a client is dropped, not kept.
_ACCEPTABLE = re.compile(r"[\x21-\x7e]{1,128}")


def current_request_id() -> str | None:
    return _request_id.get()


def current_client_request_id() -> str | None:
    """What the client sent as `X-Request-ID`: for log lines only, never for events."""
    return _client_request_id.get()


def current_forwarded_for() -> str | None:
    """The client's address the balancer forwarded: for log lines only."""
    return _forwarded_for.get()


def set_request_id(
    request_id: str | None, client_request_id: str | None = None, forwarded_for: str | None = None
) -> None:
    # All at once, so a worker that sets its own id never keeps another request's client's.
    _request_id.set(request_id)
    _client_request_id.set(client_request_id)
    _forwarded_for.set(forwarded_for)


def new_request_id() -> str:
    # Unique is what an id needs, not unpredictable: no call into the kernel for it.
    return f"{random.getrandbits(128):032x}"


def client_request_id_from_header(value: str | None) -> str | None:
    """A client's `X-Request-ID` when it is 1-128 printable ASCII characters, otherwise None."""
    if value is not None and _ACCEPTABLE.fullmatch(value):
        return value
    return None


def forwarded_for_from_header(value: str | None) -> str | None:
    """The last address of an `X-Forwarded-For` (the one the nearest proxy added) when it is an
    IP address, otherwise None. Only a balancer that drops a client's own header, as
    deploy/haproxy/haproxy.cfg does, makes it the client's; it is logged, never trusted."""
    if not value:
        return None
    last = value.rpartition(",")[2].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return None
