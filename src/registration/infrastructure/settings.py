from dataclasses import dataclass
from datetime import timedelta
from typing import Any

EVENT_PUBLISHERS = ("outbox", "dispatcher", "in_process")


@dataclass(frozen=True)
class Settings:
    """The registration service's configuration, read from nameko's config (config.yml)."""

    amqp_uri: str
    database_url: str
    database_timeout_seconds: float = 3.0
    event_publisher: str = "outbox"
    max_workers: int = 10
    outbox_poll_seconds: float = 1.0
    outbox_batch_size: int = 200
    outbox_retention: timedelta = timedelta(hours=168)
    ready_max_outbox_age_seconds: float = 60.0

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Settings":
        publisher = str(config.get("EVENT_PUBLISHER") or "outbox")
        if publisher not in EVENT_PUBLISHERS:
            raise ValueError(
                f"EVENT_PUBLISHER must be one of {EVENT_PUBLISHERS}, not {publisher!r}"
            )
        return cls(
            amqp_uri=str(config.get("AMQP_URI") or "amqp://guest:guest@127.0.0.1:5672/"),
            database_url=str(config.get("DATABASE_URL") or "sqlite:///registration.db"),
            database_timeout_seconds=float(config.get("DATABASE_TIMEOUT_SECONDS") or 3),
            event_publisher=publisher,
            max_workers=int(config.get("max_workers") or 10),
            outbox_poll_seconds=float(config.get("OUTBOX_POLL_SECONDS") or 1),
            outbox_batch_size=int(config.get("OUTBOX_BATCH_SIZE") or 200),
            outbox_retention=timedelta(hours=float(config.get("OUTBOX_RETENTION_HOURS") or 168)),
            ready_max_outbox_age_seconds=float(config.get("READY_MAX_OUTBOX_AGE_SECONDS") or 60),
        )
