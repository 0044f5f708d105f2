"""The listening socket of both services' HTTP servers.

eventlet listens with SO_REUSEPORT by default, so a second service started on a port already in
use would share it silently with the first (the kernel splits the connections between them).
Here only the processes `registration-run` starts together (WEB_CONCURRENCY > 1) share a port;
any other process finds it in use and stops with one clear line.
"""

import errno
import logging
import os
import socket  # green under nameko run, which monkey-patches before it imports the service

BACKLOG = 50  # eventlet.listen's; the API's server asks for what the system allows
# Set by registration-run in the processes it starts together, once it found the port free.
SHARED_PORT_VARIABLE = "REGISTRATION_SHARED_PORT"

logger = logging.getLogger(__name__)


class AddressInUse(Exception):
    """The listen address is taken by another process."""


def listen(address: tuple[str, int], setting: str, backlog: int = BACKLOG) -> socket.socket:
    """A listening socket on `address`; `setting` names the option that chose it, for the error."""
    sock = _socket_for(address)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if os.environ.get(SHARED_PORT_VARIABLE) == "1":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        _bind(sock, address, setting)
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    # the line a person starting it, or a log search, looks for
    logger.info("listening on %s:%d (%s)", *sock.getsockname()[:2], setting)
    return sock


def ensure_free(address: tuple[str, int], setting: str) -> None:
    """Raise AddressInUse unless `address` can be bound now (before processes share it)."""
    probe = _socket_for(address)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        _bind(probe, address, setting)
    finally:
        probe.close()


def _socket_for(address: tuple[str, int]) -> socket.socket:
    return socket.socket(socket.AF_INET6 if ":" in address[0] else socket.AF_INET)


def _bind(sock: socket.socket, address: tuple[str, int], setting: str) -> None:
    try:
        sock.bind(address)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        host, port = address
        raise AddressInUse(
            f"{setting}={host}:{port} is already in use by another process; choose a free port"
        ) from None
