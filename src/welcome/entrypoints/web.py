"""The subscriber's `@http` (health and metrics): its own listen address, problem+json errors.

Stock nameko answers werkzeug's routing errors (404, 405) as HTML and listens on
WEB_SERVER_ADDRESS with SO_REUSEPORT, so next to `make run` it would share the API's port
without a word. Here the address is WELCOME_WEB_SERVER_ADDRESS, never shared, and every routing
error is an RFC 9457 problem document.
"""

from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp, parse_address
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from service_kit.listening import listen
from service_kit.problem_document import PROBLEM_JSON, problem_json, problem_type

ADDRESS_CONFIG_KEY = "WELCOME_WEB_SERVER_ADDRESS"
DEFAULT_ADDRESS = "0.0.0.0:8001"


def problem_for(error: HTTPException) -> Response:
    status = error.code or 500
    slug = (error.name or "error").lower().replace(" ", "-")
    body = problem_json(status, error.name, error.description or error.name, problem_type(slug))
    # werkzeug's own headers (the Allow of a 405) but not its HTML content type
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return Response(body, status=status, headers=headers, mimetype=PROBLEM_JSON)


class ProblemWsgiApp(WsgiApp):
    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        request = Request(environ, shallow=True)
        try:
            rule, request.path_values = self.url_map.bind_to_environ(environ).match(
                return_rule=True
            )
        except HTTPException as error:
            return problem_for(error)(environ, start_response)
        return rule.endpoint.handle_request(request)(environ, start_response)


class WelcomeWebServer(WebServer):
    @property
    def bind_addr(self):  # type: ignore[no-untyped-def]
        return parse_address(str(self.container.config.get(ADDRESS_CONFIG_KEY, DEFAULT_ADDRESS)))

    def start(self) -> None:
        if not self._starting:
            self._starting = True
            self._sock = listen(self.bind_addr, ADDRESS_CONFIG_KEY)
            self._sock.settimeout(None)  # as nameko's: kombu may have set a default timeout
            self._serv = self.get_wsgi_server(self._sock, self.get_wsgi_app())
            self._gt = self.container.spawn_managed_thread(self.run)

    def get_wsgi_app(self) -> WsgiApp:
        return ProblemWsgiApp(self)


class WelcomeHttp(HttpRequestHandler):
    server = WelcomeWebServer()


http = WelcomeHttp.decorator
