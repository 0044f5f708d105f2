"""The composition root: the one place where adapters are chosen and wired to the ports."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, fields
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from registration.adapters.amqp.confirmed_publisher import ConfirmedAmqpPublisher
from registration.adapters.amqp.health import BrokerProbe
from registration.adapters.auth.issuer_keys import IssuerKeys
from registration.adapters.auth.jwt_access_tokens import JwtAccessTokens, RefusingAccessTokens
from registration.adapters.events.deferred import DeferredEventPublisher
from registration.adapters.events.in_process_bus import InProcessEventBus
from registration.adapters.events.nameko_publisher import NamekoEventPublisher
from registration.adapters.links.signed_links import SignedLinks, signing_keys
from registration.adapters.outbox.message_sink import MessageSink
from registration.adapters.outbox.publisher import OutboxEventPublisher
from registration.adapters.outbox.relay import OutboxRelay
from registration.adapters.outbox.store import OutboxStore
from registration.adapters.sql import fleet_lock
from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.database import Database
from registration.adapters.sql.engine import make_green_engine
from registration.adapters.sql.migrate import upgrade_to_head, wait_for_head
from registration.adapters.sql.unit_of_work import SqlUnitOfWork
from registration.application.ports import AccessTokens, Clock, EventPublisher
from registration.domain.events import utc_now
from registration.infrastructure.settings import Settings
from registration_contract import EVENTS_EXCHANGE, SERVICE_NAME
from service_kit.amqp_tls import check_broker_host_names
from service_kit.database_creation import ensure_database_exists

# Process-wide, before any connection: TLS to the broker checks its host name (nameko's too).
check_broker_host_names()

UseCase = TypeVar("UseCase")


@dataclass
class Application:
    """Everything a primary adapter needs, built once per service container."""

    settings: Settings
    # What use cases may ask for, by the name of their field (see `use_case`).
    ports: dict[str, Any]
    database: Database
    outbox: OutboxStore
    broker: BrokerProbe
    relay: OutboxRelay | None = None
    bus: InProcessEventBus | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    _use_cases: dict[type, Any] = field(default_factory=dict)

    def use_case(self, kind: type[UseCase]) -> UseCase:
        """The use case `kind`, built on first use with the ports its fields name."""
        built = self._use_cases.get(kind)
        if built is None:
            built = self._use_cases[kind] = kind(
                **{f.name: self.ports[f.name] for f in fields(kind)}
            )  # type: ignore[arg-type]
        return built  # type: ignore[no-any-return]

    def alone(self, name: str, seconds: float) -> AbstractContextManager[bool]:
        """Whether this replica may do the fleet's work `name` now, one replica at a time."""
        return fleet_lock.alone(self.database, name, seconds)

    def close(self) -> None:
        for close in reversed(self.closers):
            close()


def bootstrap(
    config: dict[str, Any],
    *,
    clock: Clock = utc_now,
    dispatch: Callable[[str, dict[str, Any]], None] | None = None,
) -> Application:
    settings = Settings.from_config(config)
    # a connection per worker, plus the relay's and a health check's
    database = _database(settings, pool_size=settings.max_workers + 2)
    store = OutboxStore(database, claim_timeout_seconds=settings.outbox_claim_seconds)
    relay = bus = sink = None

    if settings.event_publisher == "outbox":
        sink = message_sink(settings)
        relay = OutboxRelay(
            store,
            sink,
            batch_size=settings.outbox_batch_size,
            poll_seconds=settings.outbox_poll_seconds,
            before_round=database.undo_unacknowledged,
        )
        events: Callable[[ChangeSet], EventPublisher] = OutboxEventPublisher
        after_commit = _wake_on_outbox_rows(relay)
    else:
        if settings.event_publisher == "in_process":
            bus = InProcessEventBus()
            direct: EventPublisher = bus
        else:
            direct = NamekoEventPublisher(dispatch or _standalone_dispatch(config))
        events = DeferredEventPublisher
        after_commit = _hand_over_after_commit(direct)

    unit_of_work = partial(SqlUnitOfWork, database, events, after_commit)
    application = Application(
        settings=settings,
        ports={
            "unit_of_work": unit_of_work,
            "clock": clock,
            "links": SignedLinks(
                settings.public_base_url,
                signing_keys(settings.link_signing_keys),
                timedelta(days=settings.erasure_link_days),
            ),
            "confirmation": settings.confirmation,
            "access_tokens": access_tokens(settings),
        },
        database=database,
        outbox=store,
        broker=BrokerProbe(settings.broker),
        relay=relay,
        bus=bus,
    )
    application.closers.append(database.engine.dispose)
    if sink is not None:
        application.closers.append(sink.close)
    return application


def access_tokens(settings: Settings) -> AccessTokens:
    """Operators' tokens checked against the identity provider, or all refused without it."""
    required = {
        "AUTH_JWKS_URL": settings.auth_jwks_url,
        "AUTH_ISSUER": settings.auth_issuer,
        "AUTH_AUDIENCE": settings.auth_audience,
    }
    missing = [name for name, value in required.items() if not value]
    if missing:
        return RefusingAccessTokens(missing)
    keys = IssuerKeys(settings.auth_jwks_url)
    return JwtAccessTokens(keys, settings.auth_issuer, settings.auth_audience)


def message_sink(settings: Settings) -> MessageSink:
    """Where stored events go, for the relay and for a replay: RabbitMQ, with confirms."""
    return ConfirmedAmqpPublisher(
        settings.broker, EVENTS_EXCHANGE, settings.outbox_publish_timeout_seconds
    )


@dataclass
class OutboxTools:
    """What the outbox command-line tool works with, wired as the service wires it."""

    settings: Settings
    store: OutboxStore
    open_sink: Callable[[], MessageSink]

    def close(self) -> None:
        self.store.database.engine.dispose()


def outbox_tools(config: dict[str, Any]) -> OutboxTools:
    settings = Settings.from_config(config)
    store = OutboxStore(_database(settings, pool_size=2))
    return OutboxTools(settings, store, partial(message_sink, settings))


def migrate_database(config: dict[str, Any]) -> None:
    """Create the configured database if the server lacks it, then apply every migration, as the
    schema's owner (MIGRATION_DATABASE_URL, else DATABASE_URL).

    Raises DatabaseUnavailable when it does not exist and cannot be created."""
    database_url = Settings.from_config(config).schema_owner_url
    ensure_database_exists(database_url)
    upgrade_to_head(database_url)


def prepare_schema(config: dict[str, Any]) -> None:
    """What registration-run does before the service starts: migrate (MIGRATIONS=apply), or wait
    for whoever migrates (MIGRATIONS=wait: a migration job), changing nothing itself.

    Raises DatabaseUnavailable or SchemaNotReady."""
    settings = Settings.from_config(config)
    if settings.migrations == "wait":
        wait_for_head(settings.database_url, settings.migration_wait_seconds)
    else:
        migrate_database(config)


def _database(settings: Settings, pool_size: int) -> Database:
    engine = make_green_engine(
        settings.database_url,
        pool_size=pool_size,
        timeout_seconds=settings.database_timeout_seconds,
        idle_in_transaction_seconds=settings.outbox_claim_seconds,
    )
    return Database(engine, settings.database_timeout_seconds)


def _wake_on_outbox_rows(relay: OutboxRelay) -> Callable[[ChangeSet], None]:
    def after_commit(changes: ChangeSet) -> None:
        if changes.outbox:
            relay.wake()

    return after_commit


def _hand_over_after_commit(publisher: EventPublisher) -> Callable[[ChangeSet], None]:
    def after_commit(changes: ChangeSet) -> None:
        if changes.after_commit:
            publisher.publish(list(changes.after_commit))

    return after_commit


def _standalone_dispatch(config: dict[str, Any]) -> Callable[[str, dict[str, Any]], None]:
    from nameko.standalone.events import event_dispatcher

    dispatcher = event_dispatcher(config)
    return partial(dispatcher, SERVICE_NAME)
