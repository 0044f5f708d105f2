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
from registration.entrypoints.http.server.wsgi_app import ApiWebServer

__all__ = ["api", "is_draining"]


class ApiRoute(SignatureCheckedOncePerShape, HttpRequestHandler):
    server = ApiWebServer()

    def stop(self) -> None:
        # nameko stops entrypoints first and dependencies only after: draining here lets the
        # requests in flight finish while the database and the relay are still there.
        self.server.drain()
        super().stop()

    def response_from_exception(self, exc: Exception) -> Response:
        return problem_for(exc)


def api(method: str, url: str, **kwargs: Any) -> Callable[[Callable[..., Response]], Any]:
    """An HTTP route; the errors its method raises on purpose are answered as problems."""

    def route(handler: Callable[..., Response]) -> Any:
        return ApiRoute.decorator(method, url, **kwargs)(answers_problems(handler))

    return route
