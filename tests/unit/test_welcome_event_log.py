"""Log lines about an event carry its ids, as attributes and in the text, and cannot be forged."""

import logging

import pytest

from welcome.entrypoints.delivery import Delivery
from welcome.event_log import EventLog, safe_id

pytestmark = pytest.mark.unit


def test_a_line_about_an_event_carries_its_ids_as_attributes_and_in_the_text(caplog):
    logger = logging.getLogger("test.welcome.event_log")

    with caplog.at_level(logging.INFO, logger=logger.name):
        EventLog(logger, "e-1", "req-1").info("handled %s", "fine")

    (record,) = caplog.records
    assert (record.event_id, record.request_id) == ("e-1", "req-1")
    assert record.getMessage() == "handled fine [event_id=e-1 request_id=req-1]"


def test_missing_ids_show_as_a_dash(caplog):
    logger = logging.getLogger("test.welcome.event_log")

    with caplog.at_level(logging.INFO, logger=logger.name):
        EventLog(logger, None, None).info("no ids")

    assert caplog.records[0].request_id == "-"


def test_an_id_cannot_break_the_line_or_the_format():
    assert safe_id("abc\nINFO forged line %s") == "abc_INFO_forged_line__s"


def test_an_over_long_id_is_cut():
    assert len(safe_id("x" * 1000)) == 128


class FakeMessage:
    def __init__(self, headers, properties=None):
        self.headers = headers
        self.properties = properties or {}


def test_a_first_delivery_is_attempt_one_and_takes_the_event_id_from_the_body():
    delivery = Delivery.of(
        FakeMessage({"x-request-id": "req-1"}, {"message_id": "m-1"}), {"event_id": "e-1"}
    )

    assert (delivery.event_id, delivery.request_id, delivery.attempt) == ("e-1", "req-1", 1)


def test_without_a_readable_body_the_event_id_is_the_message_id():
    assert Delivery.of(FakeMessage({}, {"message_id": "m-1"})).event_id == "m-1"


@pytest.mark.parametrize(("header", "attempt"), [(3, 3), ("2", 2), ("junk", 1), (-5, 1)])
def test_the_attempt_header_is_read_defensively(header, attempt):
    assert Delivery.of(FakeMessage({"x-attempt": header})).attempt == attempt
