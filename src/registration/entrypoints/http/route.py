"""nameko's @http with problem+json errors, request ids and request metrics.

Stock nameko answers 500 with a plain-text traceback summary for any exception but BadRequest,
and werkzeug's routing errors (404, 405) as HTML; here every error is a problem document.

What it relies on inside nameko 2.14.1 (private attributes, the code it replaces) is pinned
by tests/adapter/test_nameko_web_tripwire.py.
"""

import functools
import time
from collections.abc import Callable
from typing import Any

from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from prometheus_client import Histogram
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import RequestRedirect, Rule
from werkzeug.wrappers import Request, Response

from registration.entrypoints.http.problems import answers_problems, problem_for
from registration.entrypoints.http.web_server import LlhttpWebServer
from registration.infrastructure import metrics
from service_kit.request_context import request_id_from_header, set_request_id

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_KEY = "registration.request_id"
DRAINING_KEY = "registration.draining"


def is_draining(request: Request) -> bool:
    """Whether the server serving `request` has begun to shut down."""
    return bool(request.environ.get(DRAINING_KEY))


class ApiWsgiApp(WsgiApp):
    def __init__(self, server: WebServer) -> None:
        super().__init__(server)
        # Binding the URL map to each request costs more than the rest of routing; a path with
        # no variables is looked up here instead (werkzeug still routes everything else).
        self._static_routes: dict[tuple[str, str], Rule] = {
            (method, rule.rule): rule
            for rule in self.url_map.iter_rules()
            if not rule.arguments
            for method in rule.methods or ()
        }

    def _route(self, environ) -> tuple[Rule, dict[str, Any]]:  # type: ignore[no-untyped-def]
        rule = self._static_routes.get((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        if rule is not None:
            return rule, {}
        # werkzeug strips leading slashes and redirects to a path with empty segments merged
        # (308 with the Host header in the body): no path of this API has an empty segment.
        if "//" in environ["PATH_INFO"]:
            raise NotFound()
        try:
            return self.url_map.bind_to_environ(environ).match(return_rule=True)  # type: ignore[no-any-return]
        except RequestRedirect:
            raise NotFound() from None

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        request = Request(environ, shallow=True)
        request_id = request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        environ[REQUEST_ID_KEY] = request_id
        environ[DRAINING_KEY] = self.server.draining
        set_request_id(request_id)
        route = "unmatched"
        try:
            rule, values = self._route(environ)
            route = rule.rule
            request.path_values = values
            response = rule.endpoint.handle_request(request)
        except HTTPException as error:
            response = problem_for(error)
        response.headers[REQUEST_ID_HEADER] = request_id
        _request_duration(request.method, route, response.status_code).observe(
            time.perf_counter() - started
        )
        return _wsgi_answer(response, environ, start_response)


def _wsgi_answer(response: Response, environ, start_response):  # type: ignore[no-untyped-def]
    """What werkzeug's `Response.__call__` does for the answers this service gives (a body in
    memory with its Content-Length, ASCII headers), at a fraction of its cost; werkzeug itself
    answers everything else (HEAD, 204 and 304, streamed bodies, IRIs in Location)."""
    headers = response.headers.to_wsgi_list()
    if (
        response.is_sequence
        and environ["REQUEST_METHOD"] != "HEAD"
        and response.status_code >= 200
        and response.status_code not in (204, 304)
        and all(value.isascii() for _, value in headers)
        and any(name == "Content-Length" for name, _ in headers)
    ):
        start_response(response.status, headers)
        return response.response
    return response(environ, start_response)


@functools.lru_cache(maxsize=256)  # llhttp knows a fixed set of methods; bounded all the same
def _request_duration(method: str, route: str, status: int) -> Histogram:
    # labels() looks the child up under a lock on every call; routes and statuses are few
    return metrics.HTTP_REQUEST_DURATION.labels(method, route, str(status))


class ApiWebServer(LlhttpWebServer):
    def get_wsgi_app(self) -> WsgiApp:
        return ApiWsgiApp(self)


class ApiRoute(HttpRequestHandler):
    server = ApiWebServer()

    def setup(self) -> None:
        super().setup()
        self._valid_call_shapes: set[tuple[int, tuple[str, ...]]] = set()

    def check_signature(self, args, kwargs):  # type: ignore[no-untyped-def]
        # nameko runs inspect.getcallargs on every request (a few percent of the CPU); whether a
        # call fits depends only on how many arguments and which names, so check each shape once.
        shape = (len(args), tuple(sorted(kwargs)))
        if shape not in self._valid_call_shapes:
            super().check_signature(args, kwargs)
            self._valid_call_shapes.add(shape)

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
