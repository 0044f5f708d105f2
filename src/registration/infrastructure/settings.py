from dataclasses import dataclass
from datetime import timedelta
from typing import Any

EVENT_PUBLISHERS = ("outbox", "dispatcher", "in_process")
DEFAULT_HEARTBEAT_SECONDS = 60.0  # nameko's default


@dataclass(frozen=True)
class BrokerSettings:
    """RabbitMQ as nameko's own keys describe it, for the connections the service opens itself."""

    uri: str = "amqp://guest:guest@127.0.0.1:5672/"
    # nameko's AMQP_SSL: True, or the options of the TLS socket (ca_certs, certfile, keyfile,
    # cert_reqs, ...). `amqps://` alone means TLS with the system's trust store.
    ssl: bool | dict[str, Any] | None = None
    # Overridden by a `heartbeat` query parameter in the URI, as for nameko; 0 turns it off.
    heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS
    login_method: str | None = None

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "BrokerSettings":
        heartbeat = config.get("HEARTBEAT")
        return cls(
            uri=str(config.get("AMQP_URI") or cls.uri),
            ssl=config.get("AMQP_SSL") or None,
            heartbeat_seconds=DEFAULT_HEARTBEAT_SECONDS if heartbeat is None else float(heartbeat),
            login_method=config.get("LOGIN_METHOD") or None,
        )


@dataclass(frozen=True)
class Settings:
    """The registration service's configuration, read from nameko's config (config.yml)."""

    broker: BrokerSettings
    database_url: str
    database_timeout_seconds: float = 3.0
    event_publisher: str = "outbox"
    max_workers: int = 10
    outbox_poll_seconds: float = 1.0
    outbox_batch_size: int = 200
    outbox_retention: timedelta = timedelta(hours=168)
    # The longest a relay may hold its claim on a batch: PostgreSQL ends a session left idle in
    # its transaction longer than this (a frozen or cut-off replica), releasing the rows to the
    # other replicas' relays. A batch's publish is bounded by half of it.
    outbox_claim_seconds: float = 10.0

    @property
    def outbox_publish_timeout_seconds(self) -> float:
        return self.outbox_claim_seconds / 2

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Settings":
        publisher = str(config.get("EVENT_PUBLISHER") or "outbox")
        if publisher not in EVENT_PUBLISHERS:
            raise ValueError(
                f"EVENT_PUBLISHER must be one of {EVENT_PUBLISHERS}, not {publisher!r}"
            )
        return cls(
            broker=BrokerSettings.from_config(config),
            database_url=str(config.get("DATABASE_URL") or "sqlite:///registration.db"),
            database_timeout_seconds=float(config.get("DATABASE_TIMEOUT_SECONDS") or 3),
            event_publisher=publisher,
            max_workers=int(config.get("max_workers") or 10),
            outbox_poll_seconds=float(config.get("OUTBOX_POLL_SECONDS") or 1),
            outbox_batch_size=int(config.get("OUTBOX_BATCH_SIZE") or 200),
            outbox_retention=timedelta(hours=float(config.get("OUTBOX_RETENTION_HOURS") or 168)),
            outbox_claim_seconds=float(config.get("OUTBOX_CLAIM_SECONDS") or 10),
        )
