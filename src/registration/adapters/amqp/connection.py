from typing import Any

import amqp
from kombu.utils.url import parse_url


def connection_parameters(amqp_uri: str, timeout_seconds: float) -> dict[str, Any]:
    parts = parse_url(amqp_uri)
    port = parts.get("port") or 5672
    return {
        "host": f"{parts.get('hostname') or 'localhost'}:{port}",
        "userid": parts.get("userid") or "guest",
        "password": parts.get("password") or "guest",
        "virtual_host": parts.get("virtual_host") or "/",
        "connect_timeout": timeout_seconds,
        "read_timeout": timeout_seconds,
        "write_timeout": timeout_seconds,
    }


def open_connection(amqp_uri: str, timeout_seconds: float) -> amqp.Connection:
    connection = amqp.Connection(**connection_parameters(amqp_uri, timeout_seconds))
    connection.connect()
    return connection
