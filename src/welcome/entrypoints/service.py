"""The welcome-mail subscriber: one confirmation mail per ConfirmationRequested, one welcome mail
per RegisteredEntryEvent, none for an entry erased before (EntryErased), plus health and metrics.

Run: `welcome-run` (nameko, on WELCOME_WEB_SERVER_ADDRESS; see entrypoints/run.py)
"""

import json
import logging

from service_kit.address_masking import mask_address
from welcome.application.errors import NotificationFailed
from welcome.application.forget_erased_entry import ErasureOutcome
from welcome.application.send_once import MailOutcome
from welcome.entrypoints import confirmation_requested_event, entry_erased_event
from welcome.entrypoints.dependencies import (
    AskToConfirmUseCase,
    ForgetErasedEntryUseCase,
    Metrics,
    RequestId,
    WelcomeUseCase,
)
from welcome.entrypoints.event_contract import SOURCE_SERVICE, InvalidEvent
from welcome.entrypoints.registered_entry_event import EVENT_TYPE, notice_from_payload
from welcome.entrypoints.reliable_event_handler import reliable_event_handler
from welcome.entrypoints.web import http
from welcome.event_log import EventLog

_log = logging.getLogger(__name__)


class WelcomeMailService:
    name = "welcome_mail_service"

    ask_to_confirm = AskToConfirmUseCase()
    welcome_new_registration = WelcomeUseCase()
    forget_erased_entry = ForgetErasedEntryUseCase()
    request_id = RequestId()
    metrics = Metrics()

    @reliable_event_handler(
        SOURCE_SERVICE,
        confirmation_requested_event.EVENT_TYPE,
        # a payload that breaks the contract stays broken: no retry
        unretryable=(InvalidEvent,),
        # logged by nameko as warnings, without alarm; the entrypoint logs what happens next
        expected_exceptions=(InvalidEvent, NotificationFailed),
    )
    def handle_confirmation_requested(self, payload):
        notice = confirmation_requested_event.confirmation_from_payload(
            payload, request_id=self.request_id
        )
        outcome = self.ask_to_confirm(notice)
        self._report(outcome, "confirmation", notice)

    @reliable_event_handler(
        SOURCE_SERVICE,
        EVENT_TYPE,
        unretryable=(InvalidEvent,),
        expected_exceptions=(InvalidEvent, NotificationFailed),
    )
    def handle_registered_entry(self, payload):
        notice = notice_from_payload(payload, request_id=self.request_id)
        outcome = self.welcome_new_registration(notice)
        self._report(outcome, "welcome", notice)

    def _report(self, outcome, kind, notice):
        log = EventLog(_log, notice.event_id, notice.request_id)
        if outcome is MailOutcome.DUPLICATE:
            self.metrics.duplicate.inc()
            log.info("event already processed; no second %s mail", kind)
        elif outcome is MailOutcome.ERASED:
            self.metrics.skipped_erased.inc()
            log.info("entry %s was erased before its %s mail; no mail", notice.entry_id, kind)
        else:
            self.metrics.mailed(kind).inc()
            log.info("%s mail accepted for delivery to %s", kind, mask_address(notice.email))

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
