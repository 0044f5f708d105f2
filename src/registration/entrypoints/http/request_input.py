"""The request body as eventlet's WSGI server delivers it, and how to stop reading it.

eventlet's `wsgi.Input` ends a body by itself, at Content-Length or at the last chunk, but does
not say so with `wsgi.input_terminated`: werkzeug's `request.stream` is then empty for any
chunked body. And eventlet ignores an answer's `Connection: close`: to reuse the connection it
reads and discards whatever a handler left unread, all 10 GB of a declared 10 GB body.
"""

import contextlib
import socket
from typing import IO

from werkzeug.wrappers import Request

EVENTLET_INPUT = "eventlet.input"


def body_stream(request: Request) -> IO[bytes]:
    """The body, chunked or not; the caller bounds how much it reads."""
    return request.environ.get(EVENTLET_INPUT) or request.stream  # type: ignore[no-any-return]


def stop_reading(request: Request) -> None:
    """Leave the rest of the body unread: eventlet's discarding read ends at once, the answer
    still goes out, and the connection is closed after it."""
    stream = request.environ.get(EVENTLET_INPUT)
    if stream is None:
        return
    with contextlib.suppress(OSError):  # the client is gone already
        stream.get_socket().shutdown(socket.SHUT_RD)
    if stream.chunked_input:
        # As eventlet marks the last chunk; else its discard logs a chunk error for the cut.
        stream.chunk_length = 0
