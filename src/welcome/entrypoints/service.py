"""The welcome-mail subscriber: one welcome mail per RegisteredEntryEvent, none for an entry
erased before (EntryErased), plus health and metrics.

Run: `welcome-run` (nameko, on WELCOME_WEB_SERVER_ADDRESS; see entrypoints/run.py)
"""

import json
import logging

from service_kit.address_masking import mask_address
from welcome.application.errors import NotificationFailed
from welcome.application.forget_erased_entry import ErasureOutcome
from welcome.application.welcome_new_registration import WelcomeOutcome
from welcome.entrypoints import entry_erased_event
from welcome.entrypoints.dependencies import (
    ForgetErasedEntryUseCase,
    Metrics,
    RequestId,
    WelcomeUseCase,
)
from welcome.entrypoints.registered_entry_event import (
    EVENT_TYPE,
    SOURCE_SERVICE,
    InvalidEvent,
    notice_from_payload,
)
from welcome.entrypoints.reliable_event_handler import reliable_event_handler
from welcome.entrypoints.web import http
from welcome.event_log import EventLog

_log = logging.getLogger(__name__)


class WelcomeMailService:
    name = "welcome_mail_service"

    welcome_new_registration = WelcomeUseCase()
    forget_erased_entry = ForgetErasedEntryUseCase()
    request_id = RequestId()
    metrics = Metrics()

    @reliable_event_handler(
        SOURCE_SERVICE,
        EVENT_TYPE,
        # a payload that breaks the contract stays broken: no retry
        unretryable=(InvalidEvent,),
        # logged by nameko as warnings, without alarm; the entrypoint logs what happens next
        expected_exceptions=(InvalidEvent, NotificationFailed),
    )
    def handle_registered_entry(self, payload):
        notice = notice_from_payload(payload, request_id=self.request_id)
        log = EventLog(_log, notice.event_id, notice.request_id)
        outcome = self.welcome_new_registration(notice)
        if outcome is WelcomeOutcome.DUPLICATE:
            self.metrics.duplicate.inc()
            log.info("event already processed; no second welcome mail")
        elif outcome is WelcomeOutcome.ERASED:
            self.metrics.skipped_erased.inc()
            log.info("entry %s was erased before its welcome; no mail", notice.entry_id)
        else:
            self.metrics.handled.inc()
            log.info("welcome mail accepted for delivery to %s", mask_address(notice.email))

    @reliable_event_handler(
        SOURCE_SERVICE,
        entry_erased_event.EVENT_TYPE,
        unretryable=(InvalidEvent,),
        expected_exceptions=(InvalidEvent,),
    )
    def handle_entry_erased(self, payload):
        notice = entry_erased_event.erasure_from_payload(payload, request_id=self.request_id)
        log = EventLog(_log, notice.event_id, notice.request_id)
        if self.forget_erased_entry(notice) is ErasureOutcome.DUPLICATE:
            self.metrics.duplicate.inc()
            log.info("erasure already processed")
        else:
            self.metrics.erasures.inc()
            log.info("entry %s erased; it will never be welcomed", notice.entry_id)

    @http("GET", "/health")
    def health(self, request):
        return 200, {"Content-Type": "application/json"}, json.dumps({"status": "ok"})

    @http("GET", "/health/live")
    def live(self, request):
        return 200, {"Content-Type": "application/json"}, json.dumps({"status": "ok"})

    @http("GET", "/metrics")
    def prometheus_metrics(self, request):
        return 200, {"Content-Type": self.metrics.content_type}, self.metrics.exposition()
