"""Leaves the broker as the run found it."""

from collections.abc import Iterator
from contextlib import contextmanager, suppress

import kombu
from amqp.exceptions import NotFound, PreconditionFailed


@contextmanager
def exchange_removed_afterwards(amqp_uri: str, name: str) -> Iterator[None]:
    """Deletes the exchange on the way out if it did not exist before (a service declares it),
    unless a queue of someone else's was bound to it meanwhile."""
    existed = _exchange_exists(amqp_uri, name)
    try:
        yield
    finally:
        if not existed:
            with kombu.Connection(amqp_uri) as connection, suppress(PreconditionFailed):
                connection.default_channel.exchange_delete(name, if_unused=True)


@contextmanager
def queue_removed_afterwards(amqp_uri: str, name: str) -> Iterator[None]:
    """Deletes the (durable) queue on the way out if it did not exist before and nobody consumes
    from it: our service's RPC queue, which nameko leaves behind."""
    existed = _queue_exists(amqp_uri, name)
    try:
        yield
    finally:
        if not existed:
            with kombu.Connection(amqp_uri) as connection, suppress(PreconditionFailed, NotFound):
                connection.default_channel.queue_delete(name, if_unused=True, if_empty=True)


def _queue_exists(amqp_uri: str, name: str) -> bool:
    with kombu.Connection(amqp_uri) as connection:
        try:
            connection.default_channel.queue_declare(name, passive=True)
        except NotFound:
            return False
    return True


def _exchange_exists(amqp_uri: str, name: str) -> bool:
    with kombu.Connection(amqp_uri) as connection:
        try:
            connection.default_channel.exchange_declare(name, "topic", passive=True)
        except NotFound:
            return False
    return True
