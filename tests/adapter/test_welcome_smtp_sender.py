"""The SMTP sender against a real SMTP server (aiosmtpd) on a loopback port."""

from dataclasses import replace

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.ports import free_port
from tests.support.welcome.smtp_server import RecordingSmtpServer
from welcome.adapters.smtp_notification_sender import SmtpNotificationSender, SmtpSettings
from welcome.application.errors import NotificationFailed
from welcome.domain.mail import Mail

pytestmark = pytest.mark.adapter

MESSAGE = Mail(
    recipient="alice@example.com",
    subject="Welcome aboard",
    body="Hello Alice,\n",
    event_id="3f1c8a52-9a43-4a57-bd0e-7f1f1f0f6f11",
    erase_url="https://signup.example.org/erase/t0ken",
    request_id="req-42",
)


@pytest.fixture
def smtp_server():
    server = RecordingSmtpServer().start()
    yield server
    server.stop()


def sender_for(port: int, **options) -> SmtpNotificationSender:
    settings = {"host": "127.0.0.1", "port": port, "from_address": "welcome@example.com"}
    return SmtpNotificationSender(SmtpSettings(**{**settings, "timeout_seconds": 5, **options}))


def test_the_mail_reaches_the_server_for_the_recipient(smtp_server):
    sender_for(smtp_server.port).send(MESSAGE)

    (mail,) = smtp_server.messages
    assert smtp_server.envelope_recipients == [["alice@example.com"]]
    assert (mail["From"], mail["To"], mail["Subject"]) == (
        "welcome@example.com",
        "alice@example.com",
        "Welcome aboard",
    )
    assert mail.get_content().splitlines() == ["Hello Alice,"]


def test_the_mail_is_traceable_to_its_event_and_carries_no_request_id(smtp_server):
    sender_for(smtp_server.port).send(MESSAGE)

    (mail,) = smtp_server.messages
    assert mail["Message-ID"] == f"<{MESSAGE.event_id}@example.com>"
    assert "req-42" not in mail.as_string()


def test_the_erasure_link_is_the_mails_one_click_unsubscribe(smtp_server):
    sender_for(smtp_server.port).send(MESSAGE)

    (mail,) = smtp_server.messages
    assert mail["List-Unsubscribe"] == "<https://signup.example.org/erase/t0ken>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_mail_without_an_erasure_link_has_no_unsubscribe_headers(smtp_server):
    sender_for(smtp_server.port).send(replace(MESSAGE, erase_url=None))

    (mail,) = smtp_server.messages
    assert mail["List-Unsubscribe"] is None and mail["List-Unsubscribe-Post"] is None


def test_a_temporary_refusal_is_a_failed_notification_that_hides_the_address(smtp_server):
    smtp_server.refuse_next(1, "451 4.3.0 mailbox of alice@example.com busy")

    with pytest.raises(NotificationFailed) as caught:
        sender_for(smtp_server.port).send(MESSAGE)

    assert "451" in str(caught.value)
    assert "alice@example.com" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_no_server_listening_is_a_failed_notification():
    with pytest.raises(NotificationFailed):
        sender_for(free_port()).send(MESSAGE)


def test_starttls_is_demanded_when_configured(smtp_server):
    # this server offers no STARTTLS: a sender told to use it must not fall back to plain text
    with pytest.raises(NotificationFailed, match="STARTTLS"):
        sender_for(smtp_server.port, starttls=True).send(MESSAGE)

    assert smtp_server.messages == []


def test_the_sender_logs_in_with_the_configured_credentials():
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        valid = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        return AuthResult(success=valid, handled=False)

    server = RecordingSmtpServer(authenticator=authenticator, auth_require_tls=False).start()
    try:
        sender_for(server.port, username="mailer", password="s3cret").send(MESSAGE)
    finally:
        server.stop()

    assert logins == [(b"mailer", b"s3cret")]
    assert len(server.messages) == 1


def test_wrong_credentials_are_a_failed_notification():
    server = RecordingSmtpServer(
        # handled=False: aiosmtpd answers 535 itself
        authenticator=lambda *args: AuthResult(success=False, handled=False),
        auth_require_tls=False,
    ).start()
    try:
        with pytest.raises(NotificationFailed, match="535"):
            sender_for(server.port, username="mailer", password="wrong").send(MESSAGE)
    finally:
        server.stop()
