"""Pooled connections the server has closed are replaced before use, not discovered by a request.

A database restart, a failover, `pg_terminate_backend` or an idle-connection reaper ends sessions
while they sit in the pool. PostgreSQL says so on the socket (an error message, then end of
stream) and never sends anything else unasked to an idle session of ours, so a pooled connection
whose socket has something to read is dead. Looking costs one `poll` with no wait, where
SQLAlchemy's `pool_pre_ping` costs a round trip to the server on every checkout.
"""

from typing import Any

import sqlalchemy as sa
from eventlet.patcher import original

_select = original("select")  # eventlet's green select has no poll(); a zero wait never blocks
_READABLE_OR_CLOSED = _select.POLLIN | _select.POLLHUP | _select.POLLERR | _select.POLLNVAL


def discard_connections_the_server_closed(engine: sa.Engine) -> None:
    sa.event.listen(engine, "checkout", _refuse_if_closed)


def _refuse_if_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    if dbapi_connection.closed or _has_pending_input(dbapi_connection.fileno()):
        # The pool discards this connection and checks out a fresh one in its place.
        raise sa.exc.DisconnectionError("the server closed this pooled connection")


def _has_pending_input(fd: int) -> bool:
    poller = _select.poll()
    poller.register(fd, _READABLE_OR_CLOSED)
    return bool(poller.poll(0))
