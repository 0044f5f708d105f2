"""The composition root: the one place where adapters are chosen and wired to the ports."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from registration.adapters.amqp.confirmed_publisher import ConfirmedAmqpPublisher
from registration.adapters.amqp.health import BrokerProbe
from registration.adapters.events.deferred import DeferredEventPublisher
from registration.adapters.events.in_process_bus import InProcessEventBus
from registration.adapters.events.nameko_publisher import NamekoEventPublisher
from registration.adapters.outbox.publisher import OutboxEventPublisher
from registration.adapters.outbox.relay import OutboxRelay
from registration.adapters.outbox.store import OutboxStore
from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.database import Database
from registration.adapters.sql.engine import make_green_engine
from registration.adapters.sql.unit_of_work import SqlUnitOfWork
from registration.application.ports import Clock, EventPublisher
from registration.application.registration_service import RegistrationService
from registration.domain.events import utc_now
from registration.infrastructure.settings import Settings
from registration_contract import EVENTS_EXCHANGE, SERVICE_NAME


@dataclass
class Application:
    """Everything a primary adapter needs, built once per service container."""

    settings: Settings
    registration: RegistrationService
    database: Database
    outbox: OutboxStore
    broker: BrokerProbe
    relay: OutboxRelay | None = None
    bus: InProcessEventBus | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)

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
    engine = make_green_engine(
        settings.database_url,
        # a connection per worker, plus the relay's and a health check's
        pool_size=settings.max_workers + 2,
        timeout_seconds=settings.database_timeout_seconds,
        idle_in_transaction_seconds=settings.outbox_claim_seconds,
    )
    database = Database(engine, settings.database_timeout_seconds)
    store = OutboxStore(database, claim_timeout_seconds=settings.outbox_claim_seconds)
    relay = bus = None

    if settings.event_publisher == "outbox":
        amqp = ConfirmedAmqpPublisher(
            settings.broker, EVENTS_EXCHANGE, settings.outbox_publish_timeout_seconds
        )
        relay = OutboxRelay(
            store,
            amqp,
            batch_size=settings.outbox_batch_size,
            poll_seconds=settings.outbox_poll_seconds,
            retention=settings.outbox_retention,
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
        registration=RegistrationService(unit_of_work, clock),
        database=database,
        outbox=store,
        broker=BrokerProbe(settings.broker),
        relay=relay,
        bus=bus,
    )
    application.closers.append(engine.dispose)
    if relay is not None:
        application.closers.append(amqp.close)
    return application


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
