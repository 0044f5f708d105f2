"""The welcome service under test: as deployed, or renamed so a test has the broker to itself.

The deployed names are fixed by the contract, and other suites (load runs, end-to-end tests)
may publish RegisteredEntryEvents on the same broker at the same time. Tests that count mails,
retries or metrics use a copy of the service with a unique name listening to a unique source
service: the same entrypoint, dependencies and handler code, on queues nobody else feeds.
"""

import uuid
from dataclasses import dataclass

from tests.support.queues import delete_exchange, delete_queues
from tests.support.welcome.events import CONTRACT_SOURCE_SERVICE
from welcome.application.errors import NotificationFailed
from welcome.entrypoints import confirmation_requested_event, entry_erased_event
from welcome.entrypoints.event_contract import InvalidEvent
from welcome.entrypoints.registered_entry_event import EVENT_TYPE
from welcome.entrypoints.reliable_event_handler import reliable_event_handler
from welcome.entrypoints.retry_topology import (
    dead_letter_queue_name,
    delay_queue_name,
    retry_exchange_name,
)
from welcome.entrypoints.service import WelcomeMailService

METHOD = "handle_registered_entry"
ERASURE_METHOD = "handle_entry_erased"
CONFIRMATION_METHOD = "handle_confirmation_requested"


@dataclass(frozen=True)
class Subscriber:
    service_cls: type
    source_service: str

    @property
    def service_name(self) -> str:
        return self.service_cls.name

    @property
    def work_queue(self) -> str:
        return f"evt-{self.source_service}-{EVENT_TYPE}--{self.service_name}.{METHOD}"

    @property
    def dead_letter_queue(self) -> str:
        return dead_letter_queue_name(self.service_name)

    @property
    def erasure_queue(self) -> str:
        event = entry_erased_event.EVENT_TYPE
        return f"evt-{self.source_service}-{event}--{self.service_name}.{ERASURE_METHOD}"

    @property
    def confirmation_queue(self) -> str:
        event = confirmation_requested_event.EVENT_TYPE
        return f"evt-{self.source_service}-{event}--{self.service_name}.{CONFIRMATION_METHOD}"

    def queue_names(self, delays_seconds: tuple[float, ...]) -> list[str]:
        delay_queues = [
            delay_queue_name(self.service_name, method, d)
            for method in (METHOD, ERASURE_METHOD, CONFIRMATION_METHOD)
            for d in delays_seconds
        ]
        work_queues = [self.work_queue, self.erasure_queue, self.confirmation_queue]
        return [*work_queues, *delay_queues, self.dead_letter_queue]

    def remove_from(self, amqp_uri: str, delays_seconds: tuple[float, ...]) -> None:
        """Delete every queue and exchange this subscriber declared on a shared vhost."""
        delete_queues(amqp_uri, self.queue_names(delays_seconds))
        delete_exchange(amqp_uri, retry_exchange_name(self.service_name))
        delete_exchange(amqp_uri, f"{self.source_service}.events")

    @property
    def is_deployed_one(self) -> bool:
        return self.service_cls is WelcomeMailService


DEPLOYED = Subscriber(WelcomeMailService, CONTRACT_SOURCE_SERVICE)


def isolated_subscriber() -> Subscriber:
    tag = uuid.uuid4().hex[:10]
    source_service = f"test_registration_{tag}"

    class IsolatedWelcomeMailService(WelcomeMailService):
        name = f"test_welcome_{tag}"

        @reliable_event_handler(
            source_service,
            confirmation_requested_event.EVENT_TYPE,
            unretryable=(InvalidEvent,),
            expected_exceptions=(InvalidEvent, NotificationFailed),
        )
        def handle_confirmation_requested(self, payload):
            return super().handle_confirmation_requested(payload)

        @reliable_event_handler(
            source_service,
            EVENT_TYPE,
            unretryable=(InvalidEvent,),
            expected_exceptions=(InvalidEvent, NotificationFailed),
        )
        def handle_registered_entry(self, payload):
            return super().handle_registered_entry(payload)

        @reliable_event_handler(
            source_service,
            entry_erased_event.EVENT_TYPE,
            unretryable=(InvalidEvent,),
            expected_exceptions=(InvalidEvent,),
        )
        def handle_entry_erased(self, payload):
            return super().handle_entry_erased(payload)

    return Subscriber(IsolatedWelcomeMailService, source_service)
