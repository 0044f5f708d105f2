"""The service makes every request id; a client's X-Request-ID is only kept, bounded, beside it."""

import pytest

from service_kit.request_context import (
    client_request_id_from_header,
    current_client_request_id,
    current_forwarded_for,
    current_request_id,
    forwarded_for_from_header,
    new_request_id,
    set_request_id,
)

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def no_request_in_progress():
    set_request_id(None)
    yield
    set_request_id(None)


def test_every_new_request_id_is_another_one():
    ids = {new_request_id() for _ in range(1000)}

    assert len(ids) == 1000
    assert all(len(request_id) == 32 for request_id in ids)


@pytest.mark.parametrize("value", ["a", "client-123", "~!" * 64, 'x]_INFO_fake_"},{"level":"E"'])
def test_a_client_request_id_of_1_to_128_printable_characters_is_kept(value):
    assert client_request_id_from_header(value) == value


@pytest.mark.parametrize(
    "value",
    [None, "", "has space", "x" * 129, "tab\there", "line\nbreak", "zoë"],
    ids=["absent", "empty", "space", "129", "tab", "newline", "non-ascii"],
)
def test_any_other_client_request_id_is_dropped(value):
    assert client_request_id_from_header(value) is None


def test_setting_a_request_id_alone_forgets_the_previous_client_request_id():
    set_request_id("http-request", client_request_id="from-client")

    set_request_id("rpc-call")

    assert (current_request_id(), current_client_request_id()) == ("rpc-call", None)


@pytest.mark.parametrize(
    ("value", "address"),
    [("203.0.113.7", "203.0.113.7"), ("10.0.0.1, 203.0.113.7", "203.0.113.7"), ("::1", "::1")],
    ids=["one", "the-nearest-proxys", "ipv6"],
)
def test_the_forwarded_address_is_the_last_of_x_forwarded_for(value, address):
    assert forwarded_for_from_header(value) == address


@pytest.mark.parametrize(
    "value",
    [None, "", "unknown", "203.0.113.7, not-an-address", "1.2.3.4]_INFO_fake"],
    ids=["absent", "empty", "word", "last-not-an-address", "forged"],
)
def test_a_forwarded_for_that_does_not_end_in_an_ip_address_is_dropped(value):
    assert forwarded_for_from_header(value) is None


def test_setting_a_request_id_alone_forgets_the_previous_forwarded_address():
    set_request_id("http-request", forwarded_for="203.0.113.7")

    set_request_id("rpc-call")

    assert current_forwarded_for() is None
