"""nameko's web server extension, serving with `Connection` and stopping like a web server should.

The routes, the WSGI application and nameko's entrypoints are nameko's own; only the HTTP/1.1
layer under them is replaced (see connection.py for why).

nameko 2.14.1 keeps listening on SIGTERM until every dependency has stopped, serving new requests
all the while, then kills every connection's greenthread: a request accepted after the signal
could be cut off with no response even though its registration was committed. `drain()` closes
the listener at once, lets each request being served finish and answer, and closes idle
keep-alive connections, so that a client either gets its answer or cannot connect at all.

Readiness answers 503 from the moment draining begins. Behind a balancer that learns of a
replica's shutdown only from its health checks (Kubernetes endpoints, HAProxy), set
SHUTDOWN_GRACE_SECONDS to keep accepting, and failing readiness, for that long first.

eventlet listens with a backlog of 50: a burst of new connections overflows it and the kernel
drops their SYNs, each dropped client waiting a second to retry. The listener takes what the
system allows instead (`WEB_SERVER_BACKLOG` to choose less).

Each listener holds at most `HTTP_MAX_CONNECTIONS` connections open. One past it is still
accepted, answered 503 with `Retry-After` and `Connection: close`, and closed: the client learns
at once, before anything of its request was done, that a retry is safe (any method), where a
listener that stopped accepting would leave it waiting in the kernel's queue with no word, or
timing out. Idle keep-alive connections are closed after `HTTP_IDLE_TIMEOUT_SECONDS`.

What it relies on inside nameko 2.14.1 (private attributes, the code it replaces) is pinned
by tests/adapter/test_nameko_web_tripwire.py.
"""

import logging
import socket
import time
from dataclasses import dataclass
from functools import partial
from typing import Any

import eventlet
from eventlet.semaphore import Semaphore
from nameko.constants import WEB_SERVER_CONFIG_KEY
from nameko.web.server import WebServer

from registration.entrypoints.http.limits import MAX_BODY_BYTES
from registration.entrypoints.http.server.connection import Connection, Deadlines, refuse
from service_kit.listening import listen
from service_kit.settings import read_settings, setting

log = logging.getLogger(__name__)

# Longer than any request may take (the database calls are bounded by DATABASE_TIMEOUT_SECONDS);
# what is left after it is killed by the container as before.
DRAIN_SECONDS = 10.0
SOMAXCONN_PATH = "/proc/sys/net/core/somaxconn"


def system_backlog() -> int:
    """The longest accept queue the kernel grants (it caps any larger backlog to this)."""
    try:
        with open(SOMAXCONN_PATH) as file:
            return int(file.read())
    except (OSError, ValueError):
        return socket.SOMAXCONN


@dataclass(frozen=True)
class ServerSettings:
    idle_timeout_seconds: float = setting("HTTP_IDLE_TIMEOUT_SECONDS", Deadlines.idle)
    head_timeout_seconds: float = setting("HTTP_HEAD_TIMEOUT_SECONDS", Deadlines.head)
    body_timeout_seconds: float = setting("HTTP_BODY_TIMEOUT_SECONDS", Deadlines.body)
    max_connections: int = setting("HTTP_MAX_CONNECTIONS", 1000)
    backlog: int = setting("WEB_SERVER_BACKLOG", 0)  # 0: what the system allows
    shutdown_grace_seconds: float = setting("SHUTDOWN_GRACE_SECONDS", 0.0)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "ServerSettings":
        return read_settings(cls, config)  # type: ignore[no-any-return]

    @property
    def deadlines(self) -> Deadlines:
        return Deadlines(
            idle=self.idle_timeout_seconds,
            head=self.head_timeout_seconds,
            body=self.body_timeout_seconds,
        )


class LlhttpWebServer(WebServer):
    """nameko's web server extension, each connection served by `Connection` (llhttp)."""

    # Bodies are held in memory up to this size; a longer one is refused unread (see Connection).
    body_limit = MAX_BODY_BYTES + 1  # one byte more than allowed: enough to tell it is too much
    # The setting that names the listen address (nameko's own; a subclass may read another).
    address_key = WEB_SERVER_CONFIG_KEY

    def __init__(self) -> None:
        super().__init__()
        self._connections: set[Connection] = set()
        self._open = 0  # accepted and not closed yet: counted at accept, before serving starts
        self._draining = Semaphore()
        self._drained = False
        self.draining = False
        self._app = None
        self._deadlines = Deadlines()
        self._settings = ServerSettings()

    def start(self) -> None:
        if not self._starting:
            self._starting = True
            self._settings = ServerSettings.from_config(self.container.config)
            self._deadlines = self._settings.deadlines
            backlog = self._settings.backlog or system_backlog()
            self._sock = listen(self.bind_addr, self.address_key, backlog)
            self._sock.settimeout(None)  # as nameko's: kombu may have set a default timeout
            self._app = self.get_wsgi_app()
            self._gt = self.container.spawn_managed_thread(self.run)

    def run(self) -> None:
        while self._is_accepting:
            try:
                sock, address = self._sock.accept()
            except OSError as error:
                # Out of file descriptors, say: an error escaping this managed thread would make
                # nameko kill the whole container.
                if not self._is_accepting:
                    return
                log.warning("accepting a connection failed: %s", error)
                eventlet.sleep(0.1)
                continue
            if self._open >= self._settings.max_connections:
                self.container.spawn_managed_thread(partial(refuse, sock))
                continue
            self._open += 1
            self.container.spawn_managed_thread(partial(self.process_request, sock, address))

    def process_request(self, sock, address):  # type: ignore[no-untyped-def]
        try:
            # Answers go out in one write; without this, Nagle's algorithm could hold a small
            # answer back until the client's delayed ACK.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = Connection(
                sock, address, self._app, self._sock.getsockname(), self.body_limit, self._deadlines
            )
            self._connections.add(connection)
            try:
                connection.serve()
            finally:
                self._connections.discard(connection)
        finally:
            self._open -= 1

    def drain(self) -> None:
        """Stop accepting; return once every connection is closed (or DRAIN_SECONDS passed)."""
        with self._draining:  # every route's stop() calls this; the first one does the work
            if self._drained or self._gt is None:
                return
            self._drained = True
            self.draining = True
            eventlet.sleep(self._settings.shutdown_grace_seconds)
            self._is_accepting = False
            self._gt.kill()
            self._sock.close()
            deadline = time.monotonic() + DRAIN_SECONDS
            while self._connections and time.monotonic() < deadline:
                for connection in list(self._connections):
                    connection.close_when_idle()
                eventlet.sleep(0.01)
