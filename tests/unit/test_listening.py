"""The listening socket: one log line says where each listener is, and a port taken by another
process is named in the error."""

import logging
import socket

import pytest

from service_kit.listening import AddressInUse, listen

pytestmark = pytest.mark.unit


def test_a_listener_says_where_it_listens(caplog):
    caplog.set_level(logging.INFO, logger="service_kit.listening")

    sock = listen(("127.0.0.1", 0), "WEB_SERVER_ADDRESS")
    try:
        port = sock.getsockname()[1]
    finally:
        sock.close()

    assert caplog.messages == [f"listening on 127.0.0.1:{port} (WEB_SERVER_ADDRESS)"]


def test_a_port_taken_by_another_process_names_the_setting():
    taken = socket.create_server(("127.0.0.1", 0))
    try:
        with pytest.raises(AddressInUse, match="MANAGEMENT_ADDRESS"):
            listen(taken.getsockname(), "MANAGEMENT_ADDRESS")
    finally:
        taken.close()
