"""The welcome service's settings, each declared once with its config key and default (see
service_kit.settings); the composition root reads them here."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nameko.constants import DEFAULT_MAX_WORKERS

from service_kit.settings import read_settings, setting


def _retry_delays(raw: Any) -> tuple[float, ...]:
    """ "1,5,30": one delay per retry; "" means no retries. (nameko's ${VAR:default} reads a
    single number as a number, a list as a string.)"""
    parts = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    delays = tuple(float(part) for part in parts if str(part).strip())
    if any(delay <= 0 for delay in delays):
        raise ValueError(f"RETRY_DELAYS_SECONDS must be positive numbers, not {raw!r}")
    return delays


def _lower(raw: Any) -> str:
    return str(raw).strip().lower()


@dataclass(frozen=True)
class WelcomeSettings:
    database_url: str = setting("WELCOME_DATABASE_URL", "sqlite:///welcome.db")
    max_workers: int = setting("max_workers", DEFAULT_MAX_WORKERS)
    notifier: str = setting("NOTIFIER", "smtp", choices=("smtp", "log"), parse=_lower)
    smtp_host: str = setting("SMTP_HOST", "127.0.0.1")
    smtp_port: int = setting("SMTP_PORT", 1025)
    smtp_username: str | None = setting("SMTP_USERNAME", None, parse=str)
    smtp_password: str | None = setting("SMTP_PASSWORD", None, parse=str)
    smtp_starttls: bool = setting("SMTP_STARTTLS", False)
    smtp_timeout_seconds: float = setting("SMTP_TIMEOUT_SECONDS", 10.0)
    mail_from: str = setting("MAIL_FROM", "welcome@example.com")
    retry_delays_seconds: tuple[float, ...] = setting(
        "RETRY_DELAYS_SECONDS", (1.0, 5.0, 30.0), parse=_retry_delays, empty_is_a_value=True
    )
    # the type of the subscriber's work, retry and dead-letter queues
    queue_type: str = setting(
        "WELCOME_QUEUE_TYPE", "classic", choices=("classic", "quorum"), parse=_lower
    )

    def __post_init__(self) -> None:
        if (self.smtp_username or self.smtp_password) and not self.smtp_starttls:
            # smtplib would send AUTH PLAIN over the open connection, readable on the wire
            raise ValueError(
                "SMTP_USERNAME or SMTP_PASSWORD is set but SMTP_STARTTLS is not: credentials "
                "are sent only over STARTTLS; set SMTP_STARTTLS=true"
            )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "WelcomeSettings":
        return read_settings(cls, config)  # type: ignore[no-any-return]
