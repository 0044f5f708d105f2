"""The one composition root: turns the nameko config dict into the welcome use case."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from service_kit.amqp_tls import check_broker_host_names
from welcome.adapters.logging_notification_sender import LoggingNotificationSender
from welcome.adapters.smtp_notification_sender import SmtpNotificationSender, SmtpSettings
from welcome.adapters.sql_engine import create_inbox_engine
from welcome.adapters.sql_inbox import SqlInbox, create_inbox_schema
from welcome.application.ask_to_confirm import ask_to_confirm
from welcome.application.forget_erased_entry import ErasureOutcome, forget_erased_entry
from welcome.application.inbox import Inbox
from welcome.application.notification_sender import NotificationSender
from welcome.application.send_once import MailOutcome
from welcome.application.welcome_new_registration import welcome_new_registration
from welcome.domain.confirmation_notice import ConfirmationNotice
from welcome.domain.erasure_notice import ErasureNotice
from welcome.domain.registration_notice import RegistrationNotice
from welcome.settings import WelcomeSettings

# Process-wide, before any connection: TLS to the broker checks its host name (nameko's too).
check_broker_host_names()


@dataclass(frozen=True)
class Welcome:
    """The wired use cases, and how to release what they hold (the database pool)."""

    ask_to_confirm: Callable[[ConfirmationNotice], MailOutcome]
    welcome_new_registration: Callable[[RegistrationNotice], MailOutcome]
    forget_erased_entry: Callable[[ErasureNotice], ErasureOutcome]
    close: Callable[[], None]


def build_welcome(
    config: Mapping[str, Any],
    sender: NotificationSender | None = None,
    inbox: Inbox | None = None,
) -> Welcome:
    """Wire the use cases from config; tests may pass their own sender or inbox."""
    settings = WelcomeSettings.from_config(config)
    close: Callable[[], None] = _nothing_to_close
    if inbox is None:
        engine = create_inbox_engine(settings.database_url, pool_size=settings.max_workers)
        create_inbox_schema(engine)
        inbox = SqlInbox(engine)
        close = engine.dispose
    if sender is None:
        sender = build_sender(config)
    return Welcome(
        partial(ask_to_confirm, inbox=inbox, sender=sender),
        partial(welcome_new_registration, inbox=inbox, sender=sender),
        partial(forget_erased_entry, inbox=inbox),
        close,
    )


def build_sender(config: Mapping[str, Any]) -> NotificationSender:
    if WelcomeSettings.from_config(config).notifier == "log":
        return LoggingNotificationSender()
    return SmtpNotificationSender(smtp_settings(config))


def smtp_settings(config: Mapping[str, Any]) -> SmtpSettings:
    settings = WelcomeSettings.from_config(config)
    return SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        from_address=settings.mail_from,
        timeout_seconds=settings.smtp_timeout_seconds,
        starttls=settings.smtp_starttls,
        username=settings.smtp_username,
        password=settings.smtp_password,
    )


def retry_delays_seconds(config: Mapping[str, Any]) -> tuple[float, ...]:
    return WelcomeSettings.from_config(config).retry_delays_seconds


def queue_type(config: Mapping[str, Any]) -> str:
    return WelcomeSettings.from_config(config).queue_type


def _nothing_to_close() -> None:
    return None
