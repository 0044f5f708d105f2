"""The registration service's settings, each declared once with its key and default (see
service_kit.settings). Keys nameko itself reads (AMQP_URI, HEARTBEAT, max_workers) keep their
defaults in config.yml, as nameko needs them there.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from nameko.constants import DEFAULT_HEARTBEAT, DEFAULT_MAX_WORKERS

from registration.domain.confirmation import ConfirmationPolicy
from service_kit.settings import read_settings, setting

EVENT_PUBLISHERS = ("outbox", "dispatcher", "in_process")
MIGRATION_MODES = ("apply", "wait")


@dataclass(frozen=True)
class BrokerSettings:
    """RabbitMQ as nameko's own keys describe it, for the connections the service opens itself."""

    uri: str = setting("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
    # nameko's AMQP_SSL: True, or the options of the TLS socket (ca_certs, certfile, keyfile,
    # cert_reqs, ...). `amqps://` alone means TLS with the system's trust store.
    ssl: bool | dict[str, Any] | None = setting("AMQP_SSL", None)
    # Overridden by a `heartbeat` query parameter in the URI, as for nameko; 0 turns it off.
    heartbeat_seconds: float = setting("HEARTBEAT", float(DEFAULT_HEARTBEAT))
    login_method: str | None = setting("LOGIN_METHOD", None)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "BrokerSettings":
        return read_settings(cls, config)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Settings:
    """The registration service's configuration, read from nameko's config (config.yml)."""

    broker: BrokerSettings
    database_url: str = setting("DATABASE_URL", "sqlite:///registration.db")
    database_timeout_seconds: float = setting("DATABASE_TIMEOUT_SECONDS", 3.0)
    # The role that owns the schema, for registration-migrate and registration-run's migration
    # step; unset, they migrate with DATABASE_URL. The service itself always uses DATABASE_URL.
    migration_database_url: str = setting("MIGRATION_DATABASE_URL", "")
    # registration-run: `apply` the migrations before it starts (under their advisory lock), or
    # `wait` until another (a migration job) brought the schema to this release's head or later.
    migrations: str = setting("MIGRATIONS", "apply", choices=MIGRATION_MODES)
    migration_wait_seconds: float = setting("MIGRATION_WAIT_SECONDS", 300.0)
    event_publisher: str = setting("EVENT_PUBLISHER", "outbox", choices=EVENT_PUBLISHERS)
    max_workers: int = setting("max_workers", DEFAULT_MAX_WORKERS)
    outbox_poll_seconds: float = setting("OUTBOX_POLL_SECONDS", 1.0)
    outbox_batch_size: int = setting("OUTBOX_BATCH_SIZE", 200)
    outbox_retention_hours: float = setting("OUTBOX_RETENTION_HOURS", 168.0)
    # The longest a relay may hold its claim on a batch: PostgreSQL ends a session left idle in
    # its transaction longer than this (a frozen or cut-off replica), releasing the rows to the
    # other replicas' relays. A batch's publish is bounded by half of it.
    outbox_claim_seconds: float = setting("OUTBOX_CLAIM_SECONDS", 10.0)
    # Double opt-in: the API's address as a browser reaches it (the mailed links start with it),
    # the secrets that sign them, and how long and how often an address's owner is asked.
    public_base_url: str = setting("PUBLIC_BASE_URL", "http://localhost:8000")
    link_signing_keys: str = setting("LINK_SIGNING_KEYS", "")
    confirmation_ttl_hours: float = setting("CONFIRMATION_TTL_HOURS", 48.0)
    confirmation_resend_minutes: float = setting("CONFIRMATION_RESEND_MINUTES", 10.0)
    erasure_link_days: float = setting("ERASURE_LINK_DAYS", 365.0)
    # Operators' access tokens: the identity provider's keys, and the `iss` and `aud` they carry.
    # Unset, operator operations answer 503: refused, never open.
    auth_jwks_url: str = setting("AUTH_JWKS_URL", "")
    auth_issuer: str = setting("AUTH_ISSUER", "")
    auth_audience: str = setting("AUTH_AUDIENCE", "")

    @property
    def confirmation(self) -> ConfirmationPolicy:
        return ConfirmationPolicy(
            ttl=timedelta(hours=self.confirmation_ttl_hours),
            resend_interval=timedelta(minutes=self.confirmation_resend_minutes),
        )

    @property
    def schema_owner_url(self) -> str:
        return self.migration_database_url or self.database_url

    @property
    def outbox_retention(self) -> timedelta:
        return timedelta(hours=self.outbox_retention_hours)

    @property
    def outbox_publish_timeout_seconds(self) -> float:
        return self.outbox_claim_seconds / 2

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Settings":
        return read_settings(cls, config, broker=BrokerSettings.from_config(config))  # type: ignore[no-any-return]
