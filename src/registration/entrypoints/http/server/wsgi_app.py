"""The WSGI application under nameko's web server: routing, the request id, request metrics.

Every request gets an id made here, answered in `X-Request-ID` and carried by its logs and
events; a client's own `X-Request-ID` is only kept beside it for the logs (`client_request_id`),
and so is the address a balancer forwarded in `X-Forwarded-For` (`forwarded_for`).

It is nameko's own `WsgiApp` with two shortcuts: a path without variables is looked up in a
dict instead of werkzeug binding its URL map per request, and a plain answer (a body in memory,
ASCII headers) is handed to the server without werkzeug's `Response.__call__`. Every other
request and answer goes through werkzeug as before.
"""

import functools
import time
from typing import Any

from nameko.web.server import WebServer, WsgiApp, parse_address
from prometheus_client import Histogram
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import RequestRedirect, Rule
from werkzeug.wrappers import Request, Response

from registration.entrypoints.http.listeners import (
    DEFAULT_MANAGEMENT_ADDRESS,
    MANAGEMENT_ADDRESS_KEY,
)
from registration.entrypoints.http.problems import problem_for
from registration.entrypoints.http.request_environ import (
    CLIENT_REQUEST_ID_KEY,
    DRAINING_KEY,
    FORWARDED_FOR_HEADER,
    FORWARDED_FOR_KEY,
    REQUEST_ID_HEADER,
    REQUEST_ID_KEY,
)
from registration.entrypoints.http.server.web_server import LlhttpWebServer
from registration.infrastructure import metrics
from service_kit.request_context import (
    client_request_id_from_header,
    forwarded_for_from_header,
    new_request_id,
    set_request_id,
)


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
        request_id = new_request_id()
        client_request_id = client_request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        forwarded_for = forwarded_for_from_header(request.headers.get(FORWARDED_FOR_HEADER))
        environ[REQUEST_ID_KEY] = request_id
        environ[CLIENT_REQUEST_ID_KEY] = client_request_id
        environ[FORWARDED_FOR_KEY] = forwarded_for
        environ[DRAINING_KEY] = self.server.draining
        set_request_id(request_id, client_request_id, forwarded_for)
        route = "unmatched"
        try:
            rule, values = self._route(environ)
            route = rule.rule
            request.path_values = values
            response = rule.endpoint.handle_request(request)
        except HTTPException as error:
            response = problem_for(error)
        response.headers[REQUEST_ID_HEADER] = request_id
        # every answer is exactly its Content-Type: no browser may guess it into HTML or script
        response.headers["X-Content-Type-Options"] = "nosniff"
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


class ManagementWebServer(ApiWebServer):
    """The operators' listener (MANAGEMENT_ADDRESS): the same server on an address of its own,
    with only the routes declared for it."""

    address_key = MANAGEMENT_ADDRESS_KEY

    @property
    def bind_addr(self):  # type: ignore[no-untyped-def]
        address = self.container.config.get(MANAGEMENT_ADDRESS_KEY, DEFAULT_MANAGEMENT_ADDRESS)
        return parse_address(str(address))
