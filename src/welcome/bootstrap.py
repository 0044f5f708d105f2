"""The one composition root: turns the nameko config dict into the welcome use case."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from welcome.adapters.logging_notification_sender import LoggingNotificationSender
from welcome.adapters.smtp_notification_sender import SmtpNotificationSender, SmtpSettings
from welcome.adapters.sql_engine import create_inbox_engine
from welcome.adapters.sql_inbox import SqlInbox, create_inbox_schema
from welcome.application.forget_erased_entry import ErasureOutcome, forget_erased_entry
from welcome.application.inbox import Inbox
from welcome.application.notification_sender import NotificationSender
from welcome.application.welcome_new_registration import WelcomeOutcome, welcome_new_registration
from welcome.domain.erasure_notice import ErasureNotice
from welcome.domain.registration_notice import RegistrationNotice

DEFAULT_DATABASE_URL = "sqlite:///welcome.db"
DEFAULT_RETRY_DELAYS_SECONDS = (1.0, 5.0, 30.0)
DEFAULT_MAX_WORKERS = 10


@dataclass(frozen=True)
class Welcome:
    """The wired use cases, and how to release what they hold (the database pool)."""

    welcome_new_registration: Callable[[RegistrationNotice], WelcomeOutcome]
    forget_erased_entry: Callable[[ErasureNotice], ErasureOutcome]
    close: Callable[[], None]


def build_welcome(
    config: Mapping[str, Any],
    sender: NotificationSender | None = None,
    inbox: Inbox | None = None,
) -> Welcome:
    """Wire the use cases from config; tests may pass their own sender or inbox."""
    close: Callable[[], None] = _nothing_to_close
    if inbox is None:
        engine = create_inbox_engine(
            _text(config.get("WELCOME_DATABASE_URL")) or DEFAULT_DATABASE_URL,
            pool_size=int(config.get("max_workers") or DEFAULT_MAX_WORKERS),
        )
        create_inbox_schema(engine)
        inbox = SqlInbox(engine)
        close = engine.dispose
    if sender is None:
        sender = build_sender(config)
    return Welcome(
        partial(welcome_new_registration, inbox=inbox, sender=sender),
        partial(forget_erased_entry, inbox=inbox),
        close,
    )


def build_sender(config: Mapping[str, Any]) -> NotificationSender:
    notifier = (_text(config.get("NOTIFIER")) or "smtp").lower()
    if notifier == "log":
        return LoggingNotificationSender()
    if notifier == "smtp":
        return SmtpNotificationSender(smtp_settings(config))
    raise ValueError(f"NOTIFIER must be 'smtp' or 'log', not {notifier!r}")


def smtp_settings(config: Mapping[str, Any]) -> SmtpSettings:
    return SmtpSettings(
        host=_text(config.get("SMTP_HOST")) or "127.0.0.1",
        port=int(config.get("SMTP_PORT") or 1025),
        from_address=_text(config.get("MAIL_FROM")) or "welcome@example.com",
        timeout_seconds=float(config.get("SMTP_TIMEOUT_SECONDS") or 10),
        starttls=_flag(config.get("SMTP_STARTTLS")),
        username=_text(config.get("SMTP_USERNAME")),
        password=_text(config.get("SMTP_PASSWORD")),
    )


def retry_delays_seconds(config: Mapping[str, Any]) -> tuple[float, ...]:
    """RETRY_DELAYS_SECONDS, e.g. "1,5,30": one delay per retry; "" means no retries."""
    raw = config.get("RETRY_DELAYS_SECONDS")
    if raw is None:
        return DEFAULT_RETRY_DELAYS_SECONDS
    # nameko's ${VAR:default} reads a single number as a number, a list as a string
    parts = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    delays = tuple(float(part) for part in parts if str(part).strip())
    if any(delay <= 0 for delay in delays):
        raise ValueError(f"RETRY_DELAYS_SECONDS must be positive numbers, not {raw!r}")
    return delays


def queue_type(config: Mapping[str, Any]) -> str:
    """WELCOME_QUEUE_TYPE: `classic` (default) or `quorum`, for the subscriber's own queues."""
    return (_text(config.get("WELCOME_QUEUE_TYPE")) or "classic").lower()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return (_text(value) or "").lower() in {"1", "true", "yes", "on"}


def _nothing_to_close() -> None:
    return None
