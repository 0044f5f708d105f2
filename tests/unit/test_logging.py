"""Log lines: JSON or text, with service and request id, and never an address in clear."""

import io
import json
import logging
import os
import re
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from service_kit.logging import (
    ExpectedErrorsWithoutTraceback,
    RedactEmailAddresses,
    RequestContextFilter,
    formatter,
)
from service_kit.request_context import set_request_id

pytestmark = pytest.mark.unit

REPOSITORY = Path(__file__).resolve().parents[2]


class CapturedLog:
    """A logger of its own with the handler set up as config.yml's LOGGING section does it."""

    def __init__(self, format: str, service: str | None = "registration") -> None:
        self.stream = io.StringIO()
        handler = logging.StreamHandler(self.stream)
        handler.setFormatter(formatter(format))
        handler.addFilter(RequestContextFilter(service))
        handler.addFilter(RedactEmailAddresses())
        self.logger = logging.getLogger(f"test.{uuid.uuid4().hex}")
        self.logger.propagate = False
        self.logger.setLevel(logging.DEBUG)
        self.logger.addHandler(handler)

    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.text().splitlines()]


@pytest.fixture(autouse=True)
def no_request_in_progress():
    set_request_id(None)
    yield
    set_request_id(None)


def test_json_lines_carry_timestamp_level_logger_message_request_id_and_extra_fields():
    log = CapturedLog("json")
    set_request_id("req-1")

    log.logger.info("event %s handled", "e-1", extra={"event_id": "e-1"})

    (record,) = log.records()
    assert record["level"] == "INFO"
    assert record["logger"] == log.logger.name
    assert record["message"] == "event e-1 handled"
    assert record["request_id"] == "req-1"
    assert record["service"] == "registration"
    assert record["event_id"] == "e-1"
    assert datetime.fromisoformat(record["timestamp"]).utcoffset() == timedelta(0)


def test_text_lines_are_readable_and_carry_level_logger_and_request_id():
    log = CapturedLog("text")
    set_request_id("req-2")

    log.logger.warning("disk %d%% full", 91)

    line = log.text().strip()
    assert line.endswith(f"WARNING registration {log.logger.name} [req-2] disk 91% full")
    assert line[:24].endswith("Z")  # 2026-11-29T00:41:07.123Z: ISO-8601, UTC


def test_any_format_but_json_gives_text():
    log = CapturedLog("plain")

    log.logger.info("hello")

    assert "INFO" in log.text()
    assert not log.text().startswith("{")


def test_a_line_outside_any_request_says_so():
    json_log, text_log = CapturedLog("json", service=None), CapturedLog("text", service=None)

    json_log.logger.info("relay idle")
    text_log.logger.info("relay idle")

    assert json_log.records()[0]["request_id"] is None
    assert text_log.text().rstrip().endswith(f"INFO - {text_log.logger.name} [-] relay idle")


def test_a_request_id_given_in_extra_wins_over_the_current_request():
    log = CapturedLog("json")
    set_request_id("http-request")

    log.logger.info("welcome mail sent", extra={"request_id": "from-event-header"})

    assert log.records()[0]["request_id"] == "from-event-header"


# A client's X-Request-ID as one that tries to close the text line's brackets and the JSON object.
FORGED = 'x]_INFO_fake_"},{"level":"ERROR"'


def test_json_lines_carry_the_client_request_id_as_a_string_beside_the_request_id():
    log = CapturedLog("json")
    set_request_id("server-made", client_request_id="from-client")

    log.logger.info("registered")

    (record,) = log.records()
    assert (record["request_id"], record["client_request_id"]) == ("server-made", "from-client")


def test_a_forged_client_request_id_stays_one_string_field_of_one_json_record():
    log = CapturedLog("json")
    set_request_id("server-made", client_request_id=FORGED)

    log.logger.info("registered")

    (record,) = log.records()
    assert record["client_request_id"] == FORGED
    assert (record["level"], record["request_id"]) == ("INFO", "server-made")


def test_a_forged_client_request_id_is_quoted_and_escaped_in_text_lines():
    log = CapturedLog("text")
    set_request_id("server-made", client_request_id=FORGED)

    log.logger.info("registered")

    (line,) = log.text().splitlines()
    # time, level, service, logger, [ids], message: nothing more, whatever the client sent
    ids, message = re.fullmatch(r"\S+ INFO \S+ \S+ \[([^\]]*)\] (.*)", line).groups()
    assert message == "registered"
    request_id, client_request_id = ids.split(" client_request_id=")
    assert request_id == "server-made"
    assert client_request_id.isascii() and client_request_id.isprintable()
    assert json.loads(client_request_id) == FORGED
    assert re.fullmatch(r'"(?:[^"\\]|\\.)*"', client_request_id)  # one literal: inner " escaped


def test_a_line_of_a_forwarded_request_carries_the_clients_address_in_json_and_text():
    json_log, text_log = CapturedLog("json"), CapturedLog("text")
    set_request_id("server-made", forwarded_for="203.0.113.7")

    json_log.logger.info("registered")
    text_log.logger.info("registered")

    assert json_log.records()[0]["forwarded_for"] == "203.0.113.7"
    assert "[server-made forwarded_for=203.0.113.7] registered" in text_log.text()


def test_a_line_without_a_client_request_id_has_no_such_field():
    json_log, text_log = CapturedLog("json"), CapturedLog("text")
    set_request_id("server-made")

    json_log.logger.info("registered")
    text_log.logger.info("registered")

    assert "client_request_id" not in json_log.records()[0]
    assert text_log.text().rstrip().endswith(" [server-made] registered")


def test_a_line_of_another_request_id_given_in_extra_takes_no_client_request_id():
    log = CapturedLog("json")
    set_request_id("http-request", client_request_id="from-client")

    log.logger.info("welcome mail sent", extra={"request_id": "from-event-header"})

    assert "client_request_id" not in log.records()[0]


def test_the_text_escaping_of_a_client_request_id_never_reaches_a_json_handler():
    json_log, text_log = CapturedLog("json"), CapturedLog("text")
    json_log.logger.addHandler(text_log.logger.handlers[0])
    set_request_id("server-made", client_request_id=FORGED)

    json_log.logger.info("registered")

    (record,) = json_log.records()
    assert record["client_request_id"] == FORGED
    assert "client_request" not in record
    assert "client_request_id=" in text_log.text()


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("alice@example.com", "a***@example.com"),
        ("Bob.Smith+tag@sub.example.org", "B***@sub.example.org"),
        ("josé.ñandú@bücher.de", "j***@bücher.de"),
        ("用户@例子.广告", "用***@例子.广告"),
        ('"john doe"@example.com', "j***@example.com"),
    ],
)
def test_addresses_in_the_message_and_its_args_are_masked(address, masked):
    log = CapturedLog("json")

    log.logger.info(f"from {address}: registering %s (%r)", address, address)

    message = log.records()[0]["message"]
    assert address not in message
    assert message == f"from {masked}: registering {masked} ('{masked}')"


def test_an_address_inside_brackets_or_a_sentence_is_masked():
    log = CapturedLog("text")

    log.logger.info("To: <carol@example.com>, cc dave@example.net.")

    assert "To: <c***@example.com>, cc d***@example.net." in log.text()


def test_addresses_in_tracebacks_and_extra_fields_are_masked():
    log = CapturedLog("json")

    try:
        raise ValueError("duplicate erin@example.com")
    except ValueError:
        log.logger.exception("failed", extra={"recipient": "frank@example.com"})

    (record,) = log.records()
    assert "erin@example.com" not in json.dumps(record, ensure_ascii=False)
    assert "e***@example.com" in record["exc_info"]
    assert record["recipient"] == "f***@example.com"


def test_a_message_whose_args_do_not_fit_is_kept_and_masked():
    log = CapturedLog("text")

    log.logger.info("%d registrations", "grace@example.com")

    assert "%d registrations ('g***@example.com',)" in log.text()


def test_a_record_that_passes_two_handlers_is_masked_alike_in_both():
    json_log, text_log = CapturedLog("json"), CapturedLog("text")
    json_log.logger.addHandler(text_log.logger.handlers[0])

    json_log.logger.info("for %s", "heidi@example.com")

    assert json_log.records()[0]["message"] == "for h***@example.com"
    assert text_log.text().rstrip().endswith("] for h***@example.com")


def run_with_config_yml(log_format: str) -> list[str]:
    """Applies config.yml's LOGGING section the way `nameko run` does, in a process of its own
    (dictConfig replaces the logging set-up of the whole process), and logs a few lines."""
    program = """
import logging, logging.config, yaml
from nameko.cli.main import setup_yaml_parser
from service_kit.request_context import set_request_id

setup_yaml_parser()
with open("config.yml") as stream:
    logging.config.dictConfig(yaml.safe_load(stream)["LOGGING"])
set_request_id("req-from-config")
logging.getLogger("registration.example").info("registered %s", "ivan@example.com")
logging.getLogger("registration.example").debug("below LOG_LEVEL")
logging.getLogger("nameko.containers").info("nameko chatter per request")
logging.getLogger("nameko.containers").warning("nameko warning")
"""
    environment = {
        **os.environ,
        "LOG_FORMAT": log_format,
        "LOG_LEVEL": "INFO",
        "SERVICE_NAME": "nameko_registration_service",
        "PYTHONWARNINGS": "ignore",
    }
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stderr.splitlines()


def test_config_yml_logging_section_gives_json_lines_when_log_format_is_json():
    lines = run_with_config_yml("json")

    records = [json.loads(line) for line in lines]
    assert [(r["logger"], r["level"], r["message"]) for r in records] == [
        ("registration.example", "INFO", "registered i***@example.com"),
        ("nameko.containers", "WARNING", "nameko warning"),
    ]
    assert records[0]["request_id"] == "req-from-config"
    assert records[0]["service"] == "nameko_registration_service"


def test_config_yml_logging_section_gives_text_lines_otherwise():
    lines = run_with_config_yml("text")

    assert len(lines) == 2
    assert lines[0].endswith(
        "INFO nameko_registration_service registration.example [req-from-config] "
        "registered i***@example.com"
    )
    assert lines[1].endswith(
        "WARNING nameko_registration_service nameko.containers [req-from-config] nameko warning"
    )


def test_an_expected_error_nameko_logs_keeps_its_line_but_not_its_traceback():
    try:
        raise ValueError("refused")
    except ValueError:
        record = logging.LogRecord(
            "nameko.containers",
            logging.WARNING,
            __file__,
            1,
            "(expected) error handling worker %s: %s",
            ("w", "refused"),
            sys.exc_info(),
        )

    ExpectedErrorsWithoutTraceback().filter(record)

    assert record.exc_info is None
    assert record.getMessage() == "(expected) error handling worker w: refused"


def test_an_unexpected_error_keeps_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "nameko.containers",
            logging.ERROR,
            __file__,
            1,
            "error handling worker %s: %s",
            ("w", "boom"),
            sys.exc_info(),
        )

    ExpectedErrorsWithoutTraceback().filter(record)

    assert record.exc_info is not None
