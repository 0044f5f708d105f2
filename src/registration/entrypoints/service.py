"""The Nameko service `nameko_registration_service`: HTTP and RPC entrypoints, nothing more.

Each use case is one thin method per transport (nameko wants every entrypoint on one class), its
outcome counter declared beside it; routes answer errors as problem documents (http/problems.py)
and RPC methods as the core's own types (rpc.py), both read from the errors' declarations.

Run with `registration-run` (migrations, then nameko; see entrypoints/cli/run.py).
"""

import logging

from werkzeug.wrappers import Request, Response

from registration.application.use_cases.erase_entry import EraseEntry
from registration.application.use_cases.get_entry import GetEntry
from registration.application.use_cases.register_entry import RegisterEntry
from registration.bootstrap import SERVICE_NAME, Application
from registration.domain.entry import Entry
from registration.entrypoints import operations
from registration.entrypoints.dependencies import ApplicationProvider, RequestId
from registration.entrypoints.http.json_body import read_json_object, required_string
from registration.entrypoints.http.responses import json_response, no_content
from registration.entrypoints.http.route import api, is_draining
from registration.entrypoints.outcomes import Outcomes
from registration.entrypoints.rpc import use_case_rpc

log = logging.getLogger(__name__)

REGISTRATIONS = Outcomes("registrations_total", "Registration attempts by outcome.", "registered")
ERASURES = Outcomes("erasures_total", "Erasure requests by outcome.", "erased")


class RegistrationHttpService:
    name = SERVICE_NAME

    app: Application = ApplicationProvider()  # type: ignore[assignment]
    request_id = RequestId()

    # Register an address

    @api("POST", "/register")
    def register(self, request: Request) -> Response:
        email = required_string(read_json_object(request), "email")
        representation = entry_representation(self._register(email))
        return json_response(
            representation, status=201, headers={"Location": f"/entries/{representation['id']}"}
        )

    @use_case_rpc
    def register_entry(self, email: str) -> dict[str, str]:
        return entry_representation(self._register(email))

    def _register(self, email: str) -> Entry:
        with REGISTRATIONS.counting():
            entry = self.app.use_case(RegisterEntry)(email)
        # the id only: the address is personal data (the request id comes from the context); its
        # text is made only if the line is written (the JSON formatter writes a UUID as text)
        log.info("registered entry %s", entry.id, extra={"entry_id": entry.id})
        return entry

    # Read an entry

    @api("GET", "/entries/<entry_id>")
    def entry(self, request: Request, entry_id: str) -> Response:
        return json_response(entry_representation(self.app.use_case(GetEntry)(entry_id)))

    @use_case_rpc
    def get_entry(self, entry_id: str) -> dict[str, str]:
        return entry_representation(self.app.use_case(GetEntry)(entry_id))

    # Erase an entry

    @api("DELETE", "/entries/<entry_id>")
    def erase(self, request: Request, entry_id: str) -> Response:
        self._erase(entry_id)
        return no_content()

    @use_case_rpc
    def erase_entry(self, entry_id: str) -> None:
        self._erase(entry_id)

    def _erase(self, entry_id: str) -> None:
        with ERASURES.counting():
            self.app.use_case(EraseEntry)(entry_id)
        log.info("erased entry %s", entry_id, extra={"entry_id": entry_id})

    # Operators

    @api("GET", "/health")
    def health(self, request: Request) -> Response:
        return operations.health(self.app, draining=is_draining(request))

    @api("GET", "/health/ready")
    def ready(self, request: Request) -> Response:
        return operations.readiness(self.app, draining=is_draining(request))

    @api("GET", "/health/live")
    def live(self, request: Request) -> Response:
        return json_response({"status": "ok"})

    @api("GET", "/metrics")
    def metrics(self, request: Request) -> Response:
        return operations.prometheus_metrics(self.app)

    @api("GET", "/openapi.json")
    def openapi(self, request: Request) -> Response:
        return operations.contract("openapi")

    @api("GET", "/asyncapi.json")
    def asyncapi(self, request: Request) -> Response:
        return operations.contract("asyncapi")


def entry_representation(entry: Entry) -> dict[str, str]:
    return {
        "id": str(entry.id),
        "email": entry.email.value,
        "registered_at": entry.registered_at.isoformat(),
    }
