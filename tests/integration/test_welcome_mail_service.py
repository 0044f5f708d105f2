"""The welcome-mail subscriber in real nameko containers, against real RabbitMQ and PostgreSQL.

Events go out through a plain kombu producer exactly as the contract says, mail to a real SMTP
server. Tests on the deployed service use its fixed queue names, on a virtual host of their own;
tests that count use an isolated copy (see tests.support.welcome.subscribers) on the shared one.
"""

import json
import logging
import re
import time
import uuid

import pytest
import requests
from nameko.testing.services import replace_dependencies

from tests.support.ports import free_port
from tests.support.queues import (
    declared_with,
    message_count,
    wait_for_message_where,
)
from tests.support.welcome.events import (
    confirmation_requested_payload,
    entry_erased_payload,
    publish_event,
    publish_raw,
    registered_entry_payload,
)
from tests.support.welcome.smtp_server import RecordingSmtpServer
from tests.support.welcome.subscribers import DEPLOYED, METHOD, isolated_subscriber
from welcome.application.forget_erased_entry import ErasureOutcome
from welcome.entrypoints.retry_topology import RetryTopology

pytestmark = pytest.mark.integration

RETRY_DELAYS = (0.2, 0.4)


@pytest.fixture
def amqp_uri(request, amqp_uri):
    """The deployed service's tests run on a vhost of their own: its queue names are the
    contract's, and what another run left in them would come before the test's own events. The
    isolated copy's tests stay on the shared vhost, on queues nobody else feeds."""
    if "deployed" in request.fixturenames:
        return request.getfixturevalue("private_vhost").amqp_uri
    return amqp_uri


@pytest.fixture
def deployed():
    return DEPLOYED


@pytest.fixture
def isolated(amqp_uri):
    subscriber = isolated_subscriber()
    yield subscriber
    subscriber.remove_from(amqp_uri, RETRY_DELAYS)


@pytest.fixture
def smtp_server():
    server = RecordingSmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def config(amqp_uri, fresh_postgres_url, smtp_server):
    return {
        "AMQP_URI": amqp_uri,
        "WELCOME_WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
        "max_workers": 4,
        "WELCOME_DATABASE_URL": fresh_postgres_url,
        "NOTIFIER": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_server.port,
        "SMTP_TIMEOUT_SECONDS": 5,
        "MAIL_FROM": "welcome@example.com",
        "RETRY_DELAYS_SECONDS": ",".join(str(delay) for delay in RETRY_DELAYS),
    }


@pytest.fixture
def start(container_factory, config):
    started = []

    def start(subscriber):
        container = container_factory(subscriber.service_cls, config)
        container.start()
        started.append(container)
        return container

    yield start
    for container in started:  # before the database fixture drops the database
        container.kill()


@pytest.fixture
def base_url(config):
    return f"http://{config['WELCOME_WEB_SERVER_ADDRESS']}"


def metric(base_url: str, name: str) -> float:
    text = requests.get(f"{base_url}/metrics", timeout=5).text
    match = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not exposed"
    return float(match.group(1))


def wait_for_metric(base_url: str, name: str, value: float, timeout: float = 15.0) -> float:
    deadline = time.monotonic() + timeout
    while (current := metric(base_url, name)) != value and time.monotonic() < deadline:
        time.sleep(0.05)
    return current


def dead_letter_of(amqp_uri: str, subscriber, event_id: str):
    return wait_for_message_where(
        amqp_uri,
        subscriber.dead_letter_queue,
        lambda message: message.properties.get("message_id") == event_id,
    )


def body_bytes(message) -> bytes:
    # py-amqp hands over a str when the message names a content encoding it can decode
    return message.body.encode("utf-8") if isinstance(message.body, str) else message.body


# --- the deployed service, on the contract's names ------------------------------------------


def test_a_registered_entry_gets_one_welcome_mail(amqp_uri, deployed, smtp_server, start):
    start(deployed)
    payload = registered_entry_payload()

    publish_event(amqp_uri, payload, request_id="req-welcome-1")

    (mail,) = smtp_server.wait_for_messages_to(payload["email"])
    assert mail["Subject"] == "Welcome aboard"
    assert mail["Message-ID"] == f"<{payload['event_id']}@example.com>"
    assert "req-welcome-1" not in mail.as_string()  # the request id stays in the logs


def test_a_confirmation_request_gets_one_mail_with_its_links(
    amqp_uri, deployed, smtp_server, start
):
    start(deployed)
    payload = confirmation_requested_payload()

    publish_event(amqp_uri, payload, event_type="ConfirmationRequested")

    (mail,) = smtp_server.wait_for_messages_to(payload["email"])
    assert mail["Subject"] == "Please confirm your registration"
    assert payload["confirm_url"] in mail.get_content()
    assert payload["erase_url"] in mail.get_content()
    assert mail["List-Unsubscribe"].strip() == f"<{payload['erase_url']}>"  # maybe folded
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_events_published_while_the_subscriber_is_stopped_are_delivered_after_start(
    amqp_uri, deployed, smtp_server, start
):
    start(deployed).stop()  # declares and binds the durable queue, then goes away
    payload = registered_entry_payload()

    publish_event(amqp_uri, payload)
    assert message_count(amqp_uri, deployed.work_queue) >= 1
    start(deployed)

    assert len(smtp_server.wait_for_messages_to(payload["email"])) == 1


def test_a_body_that_is_not_json_goes_to_the_dead_letter_queue_at_once(amqp_uri, deployed, start):
    start(deployed)
    event_id = str(uuid.uuid4())

    publish_raw(amqp_uri, b"{not json", message_id=event_id, headers={"x-request-id": "r-1"})

    dead = dead_letter_of(amqp_uri, deployed, event_id)
    assert dead is not None
    assert body_bytes(dead) == b"{not json"
    assert (dead.headers["x-dead-letter-reason"], dead.headers["x-attempt"]) == ("undecodable", 1)
    assert dead.headers["x-request-id"] == "r-1"


def test_health_answers_ok_in_json(deployed, start, base_url):
    start(deployed)

    response = requests.get(f"{base_url}/health", timeout=5)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_liveness_answers_ok_in_json(deployed, start, base_url):
    start(deployed)

    response = requests.get(f"{base_url}/health/live", timeout=5)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_an_unknown_path_answers_a_problem_document(deployed, start, base_url):
    start(deployed)

    response = requests.get(f"{base_url}/no-such-page", timeout=5)

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_a_wrong_method_answers_a_problem_document_with_allow(deployed, start, base_url):
    start(deployed)

    response = requests.post(f"{base_url}/health/live", timeout=5)

    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "GET" in response.headers["Allow"]


def test_metrics_are_exposed_in_the_prometheus_text_format(deployed, start, base_url):
    start(deployed)

    response = requests.get(f"{base_url}/metrics", timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    for name in (
        "confirmations",
        "handled",
        "duplicate",
        "erasures",
        "skipped_erased",
        "retried",
        "dead_lettered",
    ):
        assert re.search(rf"^welcome_events_{name}_total \d", response.text, re.MULTILINE)


# --- an isolated copy, where counting is safe ------------------------------------------------


def test_the_same_event_delivered_twice_sends_one_mail(
    amqp_uri, isolated, smtp_server, start, base_url
):
    start(isolated)
    payload = registered_entry_payload()

    publish_event(amqp_uri, payload, source_service=isolated.source_service)
    publish_event(amqp_uri, payload, source_service=isolated.source_service)

    assert wait_for_metric(base_url, "welcome_events_duplicate_total", 1.0) == 1.0
    assert len(smtp_server.messages_to(payload["email"])) == 1
    assert metric(base_url, "welcome_events_handled_total") == 1.0


def test_a_mail_server_failing_twice_is_retried_with_backoff_then_delivers(
    amqp_uri, isolated, smtp_server, start, base_url
):
    start(isolated)
    smtp_server.refuse_next(2)
    payload = registered_entry_payload()

    publish_event(amqp_uri, payload, source_service=isolated.source_service)

    assert len(smtp_server.wait_for_messages_to(payload["email"])) == 1
    assert smtp_server.refused == 2
    assert metric(base_url, "welcome_events_retried_total") == 2.0
    assert metric(base_url, "welcome_events_dead_lettered_total") == 0.0


# --- quorum queues (WELCOME_QUEUE_TYPE=quorum), on an isolated copy's own queues ------------------


def test_in_quorum_mode_a_failing_mail_server_is_retried_then_delivers(
    amqp_uri, isolated, smtp_server, config, start, base_url
):
    config["WELCOME_QUEUE_TYPE"] = "quorum"
    start(isolated)
    smtp_server.refuse_next(2)
    payload = registered_entry_payload()

    publish_event(amqp_uri, payload, source_service=isolated.source_service)

    assert len(smtp_server.wait_for_messages_to(payload["email"])) == 1
    assert metric(base_url, "welcome_events_retried_total") == 2.0
    quorum = RetryTopology.around(
        isolated.work_queue, isolated.service_name, METHOD, RETRY_DELAYS, queue_type="quorum"
    )
    assert declared_with(amqp_uri, isolated.work_queue, quorum.work_queue_arguments)
    assert declared_with(amqp_uri, isolated.dead_letter_queue, {"x-queue-type": "quorum"})


def test_in_quorum_mode_exhausted_attempts_still_reach_the_dead_letter_queue(
    amqp_uri, isolated, smtp_server, config, start
):
    config["WELCOME_QUEUE_TYPE"] = "quorum"
    start(isolated)
    smtp_server.refuse_next(1000)
    payload = registered_entry_payload()

    publish_event(amqp_uri, payload, source_service=isolated.source_service)

    dead = dead_letter_of(amqp_uri, isolated, payload["event_id"])
    assert dead is not None
    assert dead.headers["x-dead-letter-reason"] == "attempts-exhausted"


def test_a_mail_server_that_keeps_failing_sends_the_event_to_the_dead_letter_queue(
    amqp_uri, isolated, smtp_server, start, base_url
):
    start(isolated)
    smtp_server.refuse_next(1000)
    payload = registered_entry_payload()

    publish_event(
        amqp_uri, payload, request_id="req-doomed", source_service=isolated.source_service
    )

    dead = dead_letter_of(amqp_uri, isolated, payload["event_id"])
    assert dead is not None
    assert json.loads(body_bytes(dead)) == payload
    assert dead.headers["x-dead-letter-reason"] == "attempts-exhausted"
    assert dead.headers["x-attempt"] == len(RETRY_DELAYS) + 1
    assert "451" in dead.headers["x-error"]
    assert dead.headers["x-request-id"] == "req-doomed"
    assert dead.headers["x-original-queue"] == isolated.work_queue
    assert smtp_server.refused == len(RETRY_DELAYS) + 1
    assert smtp_server.messages == []
    assert metric(base_url, "welcome_events_retried_total") == len(RETRY_DELAYS)
    assert metric(base_url, "welcome_events_dead_lettered_total") == 1.0


def test_a_payload_breaking_the_schema_goes_to_the_dead_letter_queue_without_retries(
    amqp_uri, isolated, smtp_server, start, base_url
):
    start(isolated)
    payload = registered_entry_payload()
    payload["timestamp"] = "2026-11-29T00:41:07"  # no UTC offset

    publish_event(amqp_uri, payload, source_service=isolated.source_service)

    dead = dead_letter_of(amqp_uri, isolated, payload["event_id"])
    assert dead is not None
    assert (dead.headers["x-dead-letter-reason"], dead.headers["x-attempt"]) == ("rejected", 1)
    assert "timestamp" in dead.headers["x-error"]
    assert metric(base_url, "welcome_events_retried_total") == 0.0
    assert smtp_server.messages == []


def test_the_subscriber_keeps_working_after_poison(amqp_uri, isolated, smtp_server, start):
    start(isolated)
    source = isolated.source_service
    publish_raw(amqp_uri, b"\xff\xfe garbage", content_type="text/plain", source_service=source)
    publish_raw(amqp_uri, b"[1, 2, 3]", source_service=source)
    payload = registered_entry_payload()

    publish_event(amqp_uri, payload, source_service=source)

    assert len(smtp_server.wait_for_messages_to(payload["email"])) == 1
    assert message_count(amqp_uri, isolated.dead_letter_queue) == 2


def test_log_lines_about_an_event_carry_its_ids_and_never_the_address(
    amqp_uri, isolated, smtp_server, start, caplog
):
    start(isolated)
    payload = registered_entry_payload()
    smtp_server.refuse_next(1, f"451 4.2.0 mailbox <{payload['email']}> is busy")

    with caplog.at_level(logging.INFO):
        publish_event(
            amqp_uri, payload, request_id="req-logged", source_service=isolated.source_service
        )
        assert len(smtp_server.wait_for_messages_to(payload["email"])) == 1
        deadline = time.monotonic() + 10
        while "welcome mail accepted" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)

    product_lines = [
        logging.Formatter().format(record)
        for record in caplog.records
        if not record.name.startswith("mail.log")  # the test's own SMTP server
    ]
    assert not [line for line in product_lines if payload["email"] in line]
    ours = [record for record in caplog.records if record.name.startswith("welcome")]
    assert len(ours) >= 2  # the retry, and the mail sent
    for record in ours:
        assert (record.event_id, record.request_id) == (payload["event_id"], "req-logged")
        assert f"event_id={payload['event_id']}" in record.getMessage()


# --- erasures ---------------------------------------------------------------------------------


def publish_erasure(amqp_uri, subscriber, payload, request_id="req-erase"):
    publish_event(
        amqp_uri,
        payload,
        request_id=request_id,
        source_service=subscriber.source_service,
        event_type="EntryErased",
    )


def test_an_erasure_is_honoured_once_however_often_it_arrives(amqp_uri, isolated, start, base_url):
    start(isolated)
    erasure = entry_erased_payload(str(uuid.uuid4()))

    publish_erasure(amqp_uri, isolated, erasure)
    publish_erasure(amqp_uri, isolated, erasure)

    assert wait_for_metric(base_url, "welcome_events_duplicate_total", 1.0) == 1.0
    assert metric(base_url, "welcome_events_erasures_total") == 1.0


def test_a_registration_that_arrives_after_its_erasure_gets_no_mail(
    amqp_uri, isolated, smtp_server, start, base_url
):
    start(isolated)
    registered = registered_entry_payload()
    publish_erasure(amqp_uri, isolated, entry_erased_payload(registered["entry_id"]))
    assert wait_for_metric(base_url, "welcome_events_erasures_total", 1.0) == 1.0

    # e.g. a welcome that failed before the erasure and comes back from its delay queue
    publish_event(amqp_uri, registered, source_service=isolated.source_service)

    assert wait_for_metric(base_url, "welcome_events_skipped_erased_total", 1.0) == 1.0
    assert smtp_server.messages_to(registered["email"]) == []
    assert metric(base_url, "welcome_events_handled_total") == 0.0


def test_a_pending_entry_erased_before_its_confirmation_mail_gets_none(
    amqp_uri, isolated, smtp_server, start, base_url
):
    start(isolated)
    requested = confirmation_requested_payload()
    publish_erasure(amqp_uri, isolated, entry_erased_payload(requested["entry_id"]))
    assert wait_for_metric(base_url, "welcome_events_erasures_total", 1.0) == 1.0

    publish_event(
        amqp_uri,
        requested,
        source_service=isolated.source_service,
        event_type="ConfirmationRequested",
    )

    assert wait_for_metric(base_url, "welcome_events_skipped_erased_total", 1.0) == 1.0
    assert smtp_server.messages_to(requested["email"]) == []
    assert metric(base_url, "welcome_events_confirmations_total") == 0.0


def test_an_erasure_breaking_its_schema_goes_to_the_dead_letter_queue(
    amqp_uri, isolated, start, base_url
):
    start(isolated)
    erasure = entry_erased_payload(str(uuid.uuid4()))
    erasure["email"] = "someone@example.com"  # an erasure never carries the address

    publish_erasure(amqp_uri, isolated, erasure)

    dead = dead_letter_of(amqp_uri, isolated, erasure["event_id"])
    assert dead is not None
    assert dead.headers["x-dead-letter-reason"] == "rejected"
    assert dead.headers["x-original-queue"] == isolated.erasure_queue
    assert "someone@example.com" not in dead.headers["x-error"]
    assert metric(base_url, "welcome_events_erasures_total") == 0.0


def test_an_erasure_that_fails_is_retried_through_the_delay_queue(
    amqp_uri, isolated, container_factory, config, base_url
):
    container = container_factory(isolated.service_cls, config)
    forget = replace_dependencies(container, "forget_erased_entry")
    forget.side_effect = [ConnectionError("inbox unreachable"), ErasureOutcome.FORGOTTEN]
    container.start()

    publish_erasure(amqp_uri, isolated, entry_erased_payload(str(uuid.uuid4())))

    assert wait_for_metric(base_url, "welcome_events_erasures_total", 1.0) == 1.0
    assert metric(base_url, "welcome_events_retried_total") == 1.0
    assert forget.call_count == 2
