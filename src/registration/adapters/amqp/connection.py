"""Opening an AMQP connection the way nameko does, from the whole broker configuration.

nameko hands `AMQP_URI`, `AMQP_SSL`, `HEARTBEAT` and `LOGIN_METHOD` to kombu; the connections this
service opens itself (the relay's, the health probe's, the replay tool's) go through kombu's
transport too, so a virtual host, `amqps://`, client certificates and a `?heartbeat=` in the URI
mean the same for them as for nameko's own consumers.
"""

import amqp
import kombu

from registration.infrastructure.settings import BrokerSettings


def open_connection(broker: BrokerSettings, timeout_seconds: float) -> amqp.Connection:
    """A connected py-amqp connection; every socket operation bounded by `timeout_seconds`."""
    client = kombu.Connection(
        broker.uri,
        ssl=broker.ssl or False,
        heartbeat=broker.heartbeat_seconds,
        login_method=broker.login_method,
        connect_timeout=timeout_seconds,
        transport_options={"read_timeout": timeout_seconds, "write_timeout": timeout_seconds},
    )
    connection: amqp.Connection = client.transport.establish_connection()
    return connection
