"""The id of the request being served, for logs and for the events it causes.

A context variable is per greenlet under eventlet, so concurrent workers never see each other's.
"""

import random
import re
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Printable ASCII without spaces, bounded: anything else from a client is replaced, not trusted.
_ACCEPTABLE = re.compile(r"[\x21-\x7e]{1,128}")


def current_request_id() -> str | None:
    return _request_id.get()


def set_request_id(request_id: str | None) -> None:
    _request_id.set(request_id)


def request_id_from_header(value: str | None) -> str:
    """Honour a sane incoming `X-Request-ID`, otherwise make a new one."""
    if value is not None and _ACCEPTABLE.fullmatch(value):
        return value
    # Unique is what an id needs, not unpredictable: no call into the kernel for it.
    return f"{random.getrandbits(128):032x}"
