"""Reading and removing queues and exchanges on a broker, without the management API."""

import contextlib
import time

from amqp.exceptions import NotFound, PreconditionFailed
from kombu import Connection, Queue


def delete_queues(amqp_uri: str, names: list[str]) -> None:
    with Connection(amqp_uri) as connection:
        for name in names:
            channel = connection.channel()
            try:
                channel.queue_delete(name)
            except NotFound:
                pass
            finally:
                _close_quietly(channel)


def delete_exchange(amqp_uri: str, name: str) -> None:
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        try:
            channel.exchange_delete(name)
        except NotFound:
            pass
        finally:
            _close_quietly(channel)


def message_count(amqp_uri: str, name: str) -> int:
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        _, count, _ = channel.queue_declare(name, passive=True)
        channel.close()
        return count


def declared_with(amqp_uri: str, name: str, arguments: dict) -> bool:
    """Whether the existing queue `name` has exactly these arguments (e.g. x-queue-type): the
    broker refuses a redeclaration with any other (PRECONDITION_FAILED); no management plugin."""
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        try:
            channel.queue_declare(name, passive=True)  # it exists: nothing is created below
            channel.queue_declare(name, durable=True, auto_delete=False, arguments=arguments)
        except PreconditionFailed:
            return False
        else:
            return True
        finally:
            _close_quietly(channel)


def wait_for_message_where(amqp_uri: str, queue_name: str, matches, timeout: float = 15.0):
    """Take (ack) messages from a queue until one matches; None if none did in time.

    Non-matching messages are requeued: the queue may hold other runs' messages.
    """
    deadline = time.monotonic() + timeout
    with Connection(amqp_uri) as connection:
        queue = Queue(queue_name, durable=True, no_declare=True)
        while time.monotonic() < deadline:
            channel = connection.channel()
            try:
                seen = []
                found = None
                while (message := queue(channel).get(no_ack=False)) is not None:
                    if matches(message):
                        message.ack()
                        found = message
                        break
                    seen.append(message)
                for message in seen:
                    message.requeue()
                if found is not None:
                    return found
            except NotFound:
                pass  # not declared yet
            finally:
                _close_quietly(channel)
            time.sleep(0.1)
    return None


def _close_quietly(channel) -> None:
    with contextlib.suppress(Exception):  # already closed by the broker after an error
        channel.close()
