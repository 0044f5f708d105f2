"""The logging sender (NOTIFIER=log) says what it would send, never the address in clear."""

import dataclasses
import io
import logging

import pytest

from service_kit.logging import RedactEmailAddresses
from welcome.adapters.logging_notification_sender import LoggingNotificationSender
from welcome.domain.mail import Mail

pytestmark = pytest.mark.adapter

MESSAGE = Mail(
    recipient="alice@example.com",
    subject="Welcome aboard",
    body="Hello Alice,\n",
    event_id="e-1",
    request_id="req-1",
)


@pytest.fixture
def logged(caplog):
    with caplog.at_level(logging.INFO, logger="welcome"):
        LoggingNotificationSender().send(MESSAGE)
    return caplog.records


def test_it_logs_one_line_with_the_masked_address(logged):
    (record,) = logged
    assert "a***@example.com" in record.getMessage()


def test_the_line_never_holds_the_address_in_clear(logged):
    assert "alice@example.com" not in logged[0].getMessage()


def test_the_line_carries_the_event_and_request_ids(logged):
    record = logged[0]
    assert (record.event_id, record.request_id) == ("e-1", "req-1")
    assert "event_id=e-1" in record.getMessage()


def test_through_the_services_log_filter_the_address_is_masked_once_with_its_label():
    stream = io.StringIO()
    logger = logging.getLogger("welcome.test.masked_once")
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactEmailAddresses())  # what config.yml's LOGGING puts on every line
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    newcomer = dataclasses.replace(MESSAGE, recipient="lin@newcomer.example")

    LoggingNotificationSender(logger).send(newcomer)

    assert "to=l***@newcomer.example" in stream.getvalue()
