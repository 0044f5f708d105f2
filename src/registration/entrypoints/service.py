"""The Nameko service `nameko_registration_service`: HTTP and RPC entrypoints, nothing more.

Run with `registration-run` (migrations, then nameko; see entrypoints/cli/run.py).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from nameko.rpc import rpc
from werkzeug.wrappers import Request, Response

from registration.application.errors import EntryNotFound, StorageUnavailable
from registration.bootstrap import SERVICE_NAME, Application
from registration.domain.entry import Entry
from registration.domain.errors import EmailAlreadyRegistered, InvalidEmail
from registration.entrypoints import operations
from registration.entrypoints.dependencies import ApplicationProvider, RequestId
from registration.entrypoints.http.json_body import read_json_object, required_string
from registration.entrypoints.http.problems import answers_problems
from registration.entrypoints.http.responses import json_response
from registration.entrypoints.http.route import api, is_draining
from registration.entrypoints.rpc_errors import RPC_ERRORS
from registration.infrastructure import metrics

log = logging.getLogger(__name__)

REGISTERED = metrics.REGISTRATIONS.labels("registered")  # looked up once: the hot path's outcome

OUTCOMES = {
    InvalidEmail: "invalid",
    EmailAlreadyRegistered: "duplicate",
    EntryNotFound: "not_found",
    StorageUnavailable: "unavailable",
}


class RegistrationHttpService:
    name = SERVICE_NAME

    app: Application = ApplicationProvider()  # type: ignore[assignment]
    request_id = RequestId()

    @api("POST", "/register")
    @answers_problems
    def register(self, request: Request) -> Response:
        email = required_string(read_json_object(request), "email")
        representation = entry_representation(self._register(email))
        return json_response(
            representation, status=201, headers={"Location": f"/entries/{representation['id']}"}
        )

    @api("GET", "/entries/<entry_id>")
    @answers_problems
    def entry(self, request: Request, entry_id: str) -> Response:
        return json_response(entry_representation(self.app.registration.get_entry(entry_id)))

    @api("DELETE", "/entries/<entry_id>")
    @answers_problems
    def erase(self, request: Request, entry_id: str) -> Response:
        self._erase(entry_id)
        return no_content()

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

    @rpc(expected_exceptions=RPC_ERRORS)
    def register_entry(self, email: str) -> dict[str, str]:
        with core_error_types():
            return entry_representation(self._register(email))

    @rpc(expected_exceptions=RPC_ERRORS)
    def get_entry(self, entry_id: str) -> dict[str, str]:
        with core_error_types():
            return entry_representation(self.app.registration.get_entry(entry_id))

    @rpc(expected_exceptions=RPC_ERRORS)
    def erase_entry(self, entry_id: str) -> None:
        with core_error_types():
            self._erase(entry_id)

    def _register(self, email: str) -> Entry:
        try:
            entry = self.app.registration.register_entry(email)
        except Exception as error:
            metrics.REGISTRATIONS.labels(outcome_of(error)).inc()
            raise
        REGISTERED.inc()
        # the id only: the address is personal data (the request id comes from the context); its
        # text is made only if the line is written (the JSON formatter writes a UUID as text)
        log.info("registered entry %s", entry.id, extra={"entry_id": entry.id})
        return entry

    def _erase(self, entry_id: str) -> None:
        try:
            self.app.registration.erase_entry(entry_id)
        except Exception as error:
            metrics.ERASURES.labels(outcome_of(error)).inc()
            raise
        metrics.ERASURES.labels("erased").inc()
        log.info("erased entry %s", entry_id, extra={"entry_id": entry_id})


def outcome_of(error: Exception) -> str:
    return next((label for kind, label in OUTCOMES.items() if isinstance(error, kind)), "error")


@contextmanager
def core_error_types() -> Iterator[None]:
    """nameko names an RPC error by its class: an adapter's subclass of StorageUnavailable (the
    circuit breaker's, say) would reach the caller as a RemoteError, not as the core's type."""
    try:
        yield
    except StorageUnavailable as error:
        if type(error) is StorageUnavailable:
            raise
        raise StorageUnavailable(str(error)) from None


def no_content() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def entry_representation(entry: Entry) -> dict[str, str]:
    return {
        "id": str(entry.id),
        "email": entry.email.value,
        "registered_at": entry.registered_at.isoformat(),
    }
