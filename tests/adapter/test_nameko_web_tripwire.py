"""Tripwire for what the HTTP entrypoint adapters rely on inside nameko's web package.

`entrypoints/http/server/web_server.py` replaces `WebServer.start`, `run` and `process_request` and
leaves `stop` to nameko, sharing its private `_starting`, `_sock`, `_gt` and `_is_accepting`;
`entrypoints/http/server/wsgi_app.py` replaces `WsgiApp.__call__` (routing to `rule.endpoint`, which
`make_url_map` sets to the provider) and memoizes `check_signature`, which `handle_request` calls
on every request. A nameko release that changes any of these fails here, naming what changed,
instead of serving with a half-replaced web server.
"""

import hashlib
import inspect
from types import FunctionType

import nameko
import pytest
from nameko.extensions import Entrypoint
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.routing import Rule

pytestmark = pytest.mark.adapter

CHECKED_VERSION = "2.14.1"

# nameko's code that the adapters replace or mirror, as it was when they were written.
REPLACED = {
    WebServer.start: "486138c90b8e9be2",
    WebServer.run: "f54a220ccb817633",
    WebServer.process_request: "db14039dd40bfd72",
    WebServer.stop: "2c812bcfd906d3fb",
    WebServer.make_url_map: "f8ef0d2c3085c0bb",
    WsgiApp.__call__: "2909d54e61f1f9a0",
    HttpRequestHandler.handle_request: "4a686b5b8268669f",
    Entrypoint.check_signature: "568d1c1e1852f91b",
}


def broken(what: str) -> str:
    return (
        f"nameko {_installed_version()} (checked against {CHECKED_VERSION}): {what}; "
        "revisit entrypoints/http/server/"
    )


def _installed_version() -> str:
    from importlib.metadata import version

    return version(nameko.__name__)


def _fingerprint(function: FunctionType) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


@pytest.mark.parametrize("function", list(REPLACED), ids=lambda f: f.__qualname__)
def test_the_nameko_code_the_adapters_replace_is_unchanged(function):
    assert _fingerprint(function) == REPLACED[function], broken(
        f"`{function.__qualname__}` changed"
    )


@pytest.mark.parametrize("attribute", ["_starting", "_sock", "_gt", "_is_accepting"])
def test_the_web_servers_private_state_is_still_there(attribute):
    assert attribute in vars(WebServer()), broken(f"`WebServer.{attribute}` is gone")


def test_stopping_still_uses_the_listener_and_thread_the_adapter_sets():
    names = set(WebServer.stop.__code__.co_names)

    assert {"_is_accepting", "_gt", "_sock"} <= names, broken(
        "`WebServer.stop` no longer closes `_sock` and kills `_gt`"
    )


def test_each_rules_endpoint_is_its_provider():
    class Provider:
        def get_url_rule(self) -> Rule:
            return Rule("/tripwire", methods=["GET"])

    server = WebServer()
    provider = Provider()
    server.register_provider(provider)

    (rule,) = server.make_url_map().iter_rules()

    assert rule.endpoint is provider, broken("`make_url_map` no longer sets `rule.endpoint`")


def test_the_signature_is_checked_through_the_overridable_method_on_every_request():
    assert "check_signature" in HttpRequestHandler.handle_request.__code__.co_names, broken(
        "`handle_request` no longer calls `check_signature`"
    )
