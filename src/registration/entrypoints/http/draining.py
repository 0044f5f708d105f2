"""A nameko web server that stops like a web server should: listener first, then the requests.

nameko 2.14.1 keeps listening on SIGTERM until every dependency has stopped, serving new requests
all the while, then kills every connection's greenthread: a request accepted after the signal
could be cut off with no response even though its registration was committed. `drain()` closes
the listener at once, lets each request being served finish and answer, and closes idle
keep-alive connections, so that a client either gets its answer or cannot connect at all.
"""

import socket
import time

import eventlet
from eventlet import greenio
from eventlet.semaphore import Semaphore
from eventlet.wsgi import STATE_CLOSE, STATE_IDLE, STATE_REQUEST
from nameko.web.server import WebServer

# Longer than any request may take (the database calls are bounded by DATABASE_TIMEOUT_SECONDS);
# what is left after it is killed by the container as before.
DRAIN_SECONDS = 10.0


class DrainingWebServer(WebServer):
    def __init__(self) -> None:
        super().__init__()
        self._connections: list[list] = []  # eventlet.wsgi's [address, socket, state] of each
        self._draining = Semaphore()
        self._drained = False

    def process_request(self, sock, address):  # type: ignore[no-untyped-def]
        connection = [address, sock, STATE_IDLE]
        self._connections.append(connection)
        try:
            self._serv.process_request(connection)
        except OSError as error:
            # as nameko's own: a client that disconnects very early (nameko issue #368)
            if "raw readinto() returned invalid length" not in str(error):
                raise
        finally:
            self._connections.remove(connection)

    def drain(self) -> None:
        """Stop accepting; return once every connection is closed (or DRAIN_SECONDS passed)."""
        with self._draining:  # every route's stop() calls this; the first one does the work
            if self._drained or self._gt is None:
                return
            self._drained = True
            self._is_accepting = False
            self._gt.kill()
            self._sock.close()
            deadline = time.monotonic() + DRAIN_SECONDS
            while self._connections and time.monotonic() < deadline:
                for connection in list(self._connections):
                    _close_when_answered(connection)
                eventlet.sleep(0.01)


def _close_when_answered(connection: list) -> None:
    _, sock, state = connection
    if state == STATE_REQUEST:
        connection[2] = STATE_CLOSE  # eventlet closes it after this response
    elif state == STATE_IDLE and not _has_unread_bytes(sock):
        connection[2] = STATE_CLOSE
        greenio.shutdown_safe(sock)  # wakes the greenthread waiting for a next request


def _has_unread_bytes(sock: greenio.GreenSocket) -> bool:
    """A request sent on a keep-alive connection but not read yet: it gets served, not dropped."""
    try:
        return bool(sock.fd.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except OSError:  # nothing to read (BlockingIOError) or already closed
        return False
