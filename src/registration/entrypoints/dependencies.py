"""nameko DependencyProviders: the application built by the composition root, the relay's
green thread, the request id of each worker, and who called an RPC method."""

import logging

from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Request

from registration.bootstrap import Application, bootstrap
from registration.entrypoints.http.request_environ import (
    CLIENT_REQUEST_ID_KEY,
    FORWARDED_FOR_KEY,
    REQUEST_ID_KEY,
)
from registration.infrastructure.tuning import tune_started_process
from service_kit.request_context import set_request_id

log = logging.getLogger(__name__)


class ApplicationProvider(DependencyProvider):
    """Builds the application once per container from its config; the relay runs beside it."""

    application: Application

    def setup(self) -> None:
        self.application = bootstrap(self.container.config)
        self._relay_thread = None

    def start(self) -> None:
        tune_started_process()
        relay = self.application.relay
        if relay is not None:
            self._relay_thread = self.container.spawn_managed_thread(relay.run)

    def stop(self) -> None:
        # Rows being published when the signal came stay pending and go out after a restart.
        if self.application.relay is not None:
            self.application.relay.stop()
        if self._relay_thread is not None:
            self._relay_thread.wait()
        self.application.close()

    def kill(self) -> None:
        self.application.close()

    def get_dependency(self, worker_ctx) -> Application:  # type: ignore[no-untyped-def]
        return self.application


class RequestId(DependencyProvider):
    """Puts the request id into the worker's context, so its logs and events carry it.

    HTTP workers take the id the web server made, and the client's `X-Request-ID` and forwarded
    address for their logs; RPC workers the caller's context data or the call id: RPC callers
    are trusted services.
    """

    def worker_setup(self, worker_ctx) -> None:  # type: ignore[no-untyped-def]
        request = worker_ctx.args[0] if worker_ctx.args else None
        if isinstance(request, Request):
            environ = request.environ
            set_request_id(
                environ.get(REQUEST_ID_KEY),
                environ.get(CLIENT_REQUEST_ID_KEY),
                environ.get(FORWARDED_FOR_KEY),
            )
        else:
            set_request_id(worker_ctx.context_data.get("request_id") or worker_ctx.call_id)

    def get_dependency(self, worker_ctx) -> None:  # type: ignore[no-untyped-def]
        return None


class RpcCaller(DependencyProvider):
    """The service that made the RPC call, as `rpc:<service>`, for the audit trail.

    It is what the caller's call id stack says: RPC callers are services inside the broker's
    permissions (the README's trust boundary), so this names, it does not prove."""

    def get_dependency(self, worker_ctx) -> str:  # type: ignore[no-untyped-def]
        stack = worker_ctx.call_id_stack or []
        caller = stack[-2].split(".", 1)[0] if len(stack) >= 2 else "unknown"
        return f"rpc:{caller}"
