"""Reading the subscriber's configuration as nameko hands it over (strings, numbers, None)."""

import pytest

from welcome.adapters.logging_notification_sender import LoggingNotificationSender
from welcome.adapters.smtp_notification_sender import SmtpNotificationSender
from welcome.bootstrap import build_sender, retry_delays_seconds, smtp_settings

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,5,30", (1.0, 5.0, 30.0)),
        ("0.2, 0.4", (0.2, 0.4)),
        (2, (2.0,)),
        ("", ()),
    ],
)
def test_retry_delays_are_read_from_a_comma_list(raw, expected):
    assert retry_delays_seconds({"RETRY_DELAYS_SECONDS": raw}) == expected


def test_retry_delays_default_to_one_five_and_thirty_seconds():
    assert retry_delays_seconds({}) == (1.0, 5.0, 30.0)


def test_a_zero_or_negative_retry_delay_is_refused():
    with pytest.raises(ValueError):
        retry_delays_seconds({"RETRY_DELAYS_SECONDS": "1,0"})


def test_notifier_log_selects_the_logging_sender():
    assert isinstance(build_sender({"NOTIFIER": "log"}), LoggingNotificationSender)


def test_notifier_smtp_selects_the_smtp_sender():
    assert isinstance(build_sender({"NOTIFIER": "smtp"}), SmtpNotificationSender)


def test_an_unknown_notifier_is_refused():
    with pytest.raises(ValueError, match="NOTIFIER"):
        build_sender({"NOTIFIER": "pigeon"})


def test_smtp_settings_come_from_config_with_empty_credentials_meaning_none():
    settings = smtp_settings(
        {
            "SMTP_HOST": "mail.internal",
            "SMTP_PORT": 587,
            "SMTP_STARTTLS": "true",
            "SMTP_USERNAME": None,
            "SMTP_PASSWORD": "",
            "SMTP_TIMEOUT_SECONDS": 3,
            "MAIL_FROM": "hello@example.com",
        }
    )

    assert (settings.host, settings.port, settings.starttls) == ("mail.internal", 587, True)
    assert (settings.username, settings.password) == (None, None)
    assert (settings.timeout_seconds, settings.from_address) == (3.0, "hello@example.com")


def test_the_smtp_password_stays_out_of_the_settings_repr():
    settings = smtp_settings(
        {"SMTP_USERNAME": "mailer", "SMTP_PASSWORD": "s3cret", "SMTP_STARTTLS": "true"}
    )

    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize("credentials", [{"SMTP_USERNAME": "mailer"}, {"SMTP_PASSWORD": "s3cret"}])
def test_credentials_without_starttls_are_refused(credentials):
    # AUTH over a plain connection would put the mailbox password on the wire
    with pytest.raises(ValueError, match="SMTP_STARTTLS=true"):
        smtp_settings({**credentials, "SMTP_STARTTLS": "false"})
