"""`@api`: nameko's @http entrypoint, every error answered as a problem document.

Stock nameko answers 500 with a plain-text traceback summary for any exception but BadRequest,
and werkzeug's routing errors (404, 405) as HTML; here every error is a problem document. The
HTTP/1.1 server under it lives in `server/`; an entrypoint never needs to look there.

What it relies on inside nameko 2.14.1 (private attributes, the code it replaces) is pinned
by tests/adapter/test_nameko_web_tripwire.py.
"""

from collections.abc import Callable
from typing import Any

from nameko.web.handlers import HttpRequestHandler
from werkzeug.wrappers import Response

from registration.entrypoints.http.problems import answers_problems, problem_for
from registration.entrypoints.http.request_environ import is_draining
from registration.entrypoints.http.server.signatures import SignatureCheckedOncePerShape
from registration.entrypoints.http.server.wsgi_app import ApiWebServer, ManagementWebServer

__all__ = ["api", "is_draining", "management_api"]


class ApiRoute(SignatureCheckedOncePerShape, HttpRequestHandler):
    server = ApiWebServer()

    def stop(self) -> None:
        # nameko stops entrypoints first and dependencies only after: draining here lets the
        # requests in flight finish while the database and the relay are still there.
        self.server.drain()
        super().stop()

    def response_from_exception(self, exc: Exception) -> Response:
        return problem_for(exc)


class ManagementRoute(ApiRoute):
    server = ManagementWebServer()


def api(method: str, url: str, **kwargs: Any) -> Callable[[Callable[..., Response]], Any]:
    """An HTTP route on the public listener; the errors its method raises on purpose are
    answered as problems."""
    return _route(ApiRoute, method, url, **kwargs)


def management_api(
    method: str, url: str, **kwargs: Any
) -> Callable[[Callable[..., Response]], Any]:
    """The same, on the operators' listener only (MANAGEMENT_ADDRESS)."""
    return _route(ManagementRoute, method, url, **kwargs)


def _route(
    kind: type[ApiRoute], method: str, url: str, **kwargs: Any
) -> Callable[[Callable[..., Response]], Any]:
    def route(handler: Callable[..., Response]) -> Any:
        return kind.decorator(method, url, **kwargs)(answers_problems(handler))

    return route
