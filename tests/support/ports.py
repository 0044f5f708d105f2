"""Loopback ports for the servers a test starts."""

import socket


def free_port() -> int:
    """A port nothing listens on now: the kernel's pick, released for the caller to bind."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def accepts_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True
