"""nameko's @http with problem+json errors, request ids and request metrics.

Stock nameko answers 500 with a plain-text traceback summary for any exception but BadRequest,
and werkzeug's routing errors (404, 405) as HTML; here every error is a problem document.
"""

import time

from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from registration.entrypoints.http.json_body import MAX_BODY_BYTES
from registration.entrypoints.http.problems import problem_for
from registration.entrypoints.http.web_server import FastWebServer
from registration.infrastructure import metrics
from registration.infrastructure.request_context import request_id_from_header, set_request_id

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_KEY = "registration.request_id"


class ApiWsgiApp(WsgiApp):
    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        request = Request(environ, shallow=True)
        request_id = request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        environ[REQUEST_ID_KEY] = request_id
        set_request_id(request_id)
        route = "unmatched"
        try:
            rule, values = self.url_map.bind_to_environ(environ).match(return_rule=True)
            route = rule.rule
            request.path_values = values
            response = rule.endpoint.handle_request(request)
        except HTTPException as error:
            response = problem_for(error)
        response.headers[REQUEST_ID_HEADER] = request_id
        metrics.HTTP_REQUEST_DURATION.labels(
            request.method, route, str(response.status_code)
        ).observe(time.perf_counter() - started)
        return response(environ, start_response)


class ApiWebServer(FastWebServer):
    body_limit = MAX_BODY_BYTES + 1  # one byte more than allowed: enough to tell it is too much

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


api = ApiRoute.decorator
