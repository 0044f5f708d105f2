"""The Nameko service `nameko_registration_service`: HTTP and RPC entrypoints, nothing more.

Each use case is one thin method per transport (nameko wants every entrypoint on one class), its
outcome counter declared beside it; routes answer errors as problem documents (http/problems.py)
and RPC methods as the core's own types (rpc.py), both read from the errors' declarations.

Run with `registration-run` (migrations, then nameko; see entrypoints/cli/run.py).
"""

import logging
from typing import Any

from nameko.timer import timer
from werkzeug.wrappers import Request, Response

from registration.application.ports import Operator
from registration.application.use_cases.confirm_entry import ConfirmEntry
from registration.application.use_cases.erase_entry import EraseEntry
from registration.application.use_cases.erase_own_entry import EraseOwnEntry
from registration.application.use_cases.expire_pending_entries import ExpirePendingEntries
from registration.application.use_cases.find_entry import FindEntry
from registration.application.use_cases.get_entry import GetEntry
from registration.application.use_cases.register_entry import (
    Outcome,
    RegisterEntry,
    Registration,
)
from registration.bootstrap import SERVICE_NAME, Application
from registration.domain.entry import Entry
from registration.domain.errors import EmailAlreadyRegistered
from registration.entrypoints import operations
from registration.entrypoints.audit import audited
from registration.entrypoints.dependencies import ApplicationProvider, RequestId, RpcCaller
from registration.entrypoints.expiry import EXPIRY_SWEEP_SECONDS, sweep_expired
from registration.entrypoints.http.bearer import operator_of, require_scope
from registration.entrypoints.http.client_errors import UnprocessableBody
from registration.entrypoints.http.json_body import read_json_object, required_string
from registration.entrypoints.http.pages import page, page_route, read_form
from registration.entrypoints.http.responses import json_response, no_content
from registration.entrypoints.http.route import api, is_draining, management_api
from registration.entrypoints.outcomes import Outcomes
from registration.entrypoints.pruning import PRUNE_SECONDS, prune_outbox
from registration.entrypoints.rpc import use_case_rpc

log = logging.getLogger(__name__)

REGISTRATIONS = Outcomes(
    "registrations_total", "Registration attempts by outcome.", "confirmation_requested"
)
CONFIRMATIONS = Outcomes("confirmations_total", "Confirmation attempts by outcome.", "confirmed")
SELF_ERASURES = Outcomes(
    "self_erasures_total", "Erasures from a mailed link, by outcome.", "erased"
)
ERASURES = Outcomes("erasures_total", "Erasure requests by outcome.", "erased")

# The scopes of an operator's token (the OpenAPI document declares them per operation).
READ = "entries:read"
ERASE = "entries:erase"

# The one answer to a valid address, whether it is new, pending or confirmed (no enumeration).
ACCEPTED = {
    "status": "accepted",
    "detail": "If this address can be registered, a message with a confirmation link is on its"
    " way to it. The registration holds once the link is followed.",
}


class RegistrationHttpService:
    name = SERVICE_NAME

    app: Application = ApplicationProvider()  # type: ignore[assignment]
    request_id = RequestId()
    caller: str = RpcCaller()  # type: ignore[assignment]

    # Register an address

    @api("POST", "/register")
    def register(self, request: Request) -> Response:
        self._register(required_string(read_json_object(request), "email"))
        return json_response(ACCEPTED, status=202)

    @use_case_rpc
    def register_entry(self, email: str) -> dict[str, Any]:
        """The same flow; a caller inside the trust boundary learns the entry, and gets
        EmailAlreadyRegistered for a confirmed address."""
        registration = self._register(email)
        if registration.entry is None or registration.outcome is Outcome.ALREADY_CONFIRMED:
            raise EmailAlreadyRegistered()
        return entry_representation(registration.entry)

    def _register(self, email: str) -> Registration:
        with REGISTRATIONS.counting() as outcome:
            registration = self.app.use_case(RegisterEntry)(email)
            outcome(registration.outcome.value)
        if registration.entry is not None:
            # the id only: the address is personal data (the request id comes from the context);
            # its text is made only if the line is written (JSON writes a UUID as text)
            log.info(
                "registration of entry %s: %s",
                registration.entry.id,
                registration.outcome.value,
                extra={"entry_id": registration.entry.id},
            )
        return registration

    # Confirm an address, from the link in its confirmation mail

    @page_route("GET", "/confirm/<token>")
    def confirmation_page(self, request: Request, token: str) -> Response:
        self.app.use_case(ConfirmEntry).check(token)
        return page(
            "Confirm your registration",
            "Press the button to confirm that this address is yours and that you want it"
            " registered.",
            button="Confirm",
        )

    @page_route("POST", "/confirm/<token>")
    def confirm(self, request: Request, token: str) -> Response:
        read_form(request)
        with CONFIRMATIONS.counting():
            entry = self.app.use_case(ConfirmEntry)(token)
        log.info("confirmed entry %s", entry.id, extra={"entry_id": entry.id})
        return page("You are registered", "Thank you: your address is confirmed.")

    # Erase one's own entry, from the link in every mail (RFC 8058 one-click unsubscribe)

    @page_route("GET", "/erase/<token>")
    def erasure_page(self, request: Request, token: str) -> Response:
        self.app.use_case(EraseOwnEntry).check(token)
        return page(
            "Erase your registration",
            "Press the button to erase this address and everything stored with it.",
            button="Erase",
        )

    @page_route("POST", "/erase/<token>")
    def erase_own(self, request: Request, token: str) -> Response:
        if read_form(request).get("List-Unsubscribe") != "One-Click":
            raise UnprocessableBody("The form must hold List-Unsubscribe=One-Click.")
        with SELF_ERASURES.counting() as outcome:
            if not self.app.use_case(EraseOwnEntry)(token):
                outcome("nothing_to_erase")
        return page("Erased", "Your address and everything stored with it are erased.")

    # Erase pending entries nobody confirmed in time

    @timer(interval=EXPIRY_SWEEP_SECONDS)
    def expire_pending_entries(self) -> None:
        sweep_expired(self.app, self.app.use_case(ExpirePendingEntries))

    # Delete published outbox rows past their retention, off the relay's path

    @timer(interval=PRUNE_SECONDS)
    def prune_outbox(self) -> None:
        prune_outbox(self.app)

    # Operators: read, find by address and erase an entry (a bearer token over HTTP; over RPC
    # the caller is a service inside the broker's permissions). Each leaves an audit line.

    @api("GET", "/entries/<entry_id>")
    def entry(self, request: Request, entry_id: str) -> Response:
        operator = self._operator(request)
        with audited("read", f"operator:{operator.subject}", entry_id):
            require_scope(operator, READ)
            entry = self.app.use_case(GetEntry)(entry_id)
        return _entry_response(entry)

    @use_case_rpc
    def get_entry(self, entry_id: str) -> dict[str, Any]:
        with audited("read", self.caller, entry_id):
            return entry_representation(self.app.use_case(GetEntry)(entry_id))

    @api("POST", "/entries/lookup")
    def lookup(self, request: Request) -> Response:
        operator = self._operator(request)
        with audited("lookup", f"operator:{operator.subject}") as record:
            require_scope(operator, READ)
            entry = self.app.use_case(FindEntry)(
                required_string(read_json_object(request), "email")
            )
            record.entry_id = entry.id
        return _entry_response(entry)

    @use_case_rpc
    def find_entry(self, email: str) -> dict[str, Any]:
        with audited("lookup", self.caller) as record:
            entry = self.app.use_case(FindEntry)(email)
            record.entry_id = entry.id
        return entry_representation(entry)

    @api("DELETE", "/entries/<entry_id>")
    def erase(self, request: Request, entry_id: str) -> Response:
        operator = self._operator(request)
        with audited("erase", f"operator:{operator.subject}", entry_id):
            require_scope(operator, ERASE)
            self._erase(entry_id)
        return no_content()

    @use_case_rpc
    def erase_entry(self, entry_id: str) -> None:
        with audited("erase", self.caller, entry_id):
            self._erase(entry_id)

    def _erase(self, entry_id: str) -> None:
        with ERASURES.counting():
            self.app.use_case(EraseEntry)(entry_id)  # the audit line says so

    def _operator(self, request: Request) -> Operator:
        return operator_of(request, self.app.ports["access_tokens"])

    # The service's own health, metrics and contracts. Readiness and liveness answer on the
    # public listener too: a balancer checks the very listener it forwards to, and they tell
    # nothing but up or down. The detail and the metrics only on the operators' listener.

    @management_api("GET", "/health")
    def health(self, request: Request) -> Response:
        return operations.health(self.app, draining=is_draining(request))

    @api("GET", "/health/ready")
    def ready(self, request: Request) -> Response:
        return operations.readiness(self.app, draining=is_draining(request))

    @api("GET", "/health/live")
    def live(self, request: Request) -> Response:
        return json_response({"status": "ok"})

    @management_api("GET", "/metrics")
    def metrics(self, request: Request) -> Response:
        return operations.prometheus_metrics(self.app)

    @api("GET", "/openapi.json")
    def openapi(self, request: Request) -> Response:
        return operations.contract("openapi")

    @api("GET", "/asyncapi.json")
    def asyncapi(self, request: Request) -> Response:
        return operations.contract("asyncapi")


def _entry_response(entry: Entry) -> Response:
    # an address: no cache along the way, or the browser's, may keep it
    return json_response(entry_representation(entry), headers={"Cache-Control": "no-store"})


def entry_representation(entry: Entry) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "email": entry.email.value,
        "status": "confirmed" if entry.is_confirmed else "pending",
        "registered_at": entry.registered_at.isoformat(),
        "confirmed_at": None if entry.confirmed_at is None else entry.confirmed_at.isoformat(),
    }
