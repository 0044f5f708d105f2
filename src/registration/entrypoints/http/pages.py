"""The small HTML pages behind the mailed links, and `@page`, their route.

A GET only shows a page with a button, because mail scanners and link previews fetch every link;
the button's form POSTs and acts. The token is in the URL, so no page sends a referrer; nothing
is framed, cached, or loaded from elsewhere (one inline style, allowed by its hash).
"""

import base64
import functools
import hashlib
from collections.abc import Callable
from html import escape
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.formparser import parse_form_data
from werkzeug.wrappers import Request, Response

from registration.application.errors import InvalidLink, StorageUnavailable
from registration.domain.errors import CoreError
from registration.entrypoints.http.client_errors import ClientError, UnsupportedMediaType
from registration.entrypoints.http.limits import MAX_BODY_BYTES
from registration.entrypoints.http.problems import RETRY_AFTER_SECONDS, STATUS_OF
from registration.entrypoints.http.route import ApiRoute

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;"
    "line-height:1.5;color:#222}button{font:inherit;padding:.5rem 1.25rem;cursor:pointer}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self';"
        " frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def page(title: str, text: str, button: str | None = None, status: int = 200) -> Response:
    """A page saying `text`; with `button`, a form that POSTs back to the same URL."""
    form = (
        '<form method="post">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        f'<button type="submit">{escape(button)}</button></form>'
        if button
        else ""
    )
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1><p>{escape(text)}</p>{form}</main></body></html>"
    )
    return Response(html, status=status, headers=HEADERS, mimetype="text/html")


def read_form(request: Request) -> MultiDict[str, str]:
    """A form POST's fields (URL-encoded or multipart, as RFC 8058's one-click sends it)."""
    if request.mimetype not in FORM_TYPES:
        raise UnsupportedMediaType("Send the form as application/x-www-form-urlencoded.")
    _, form, _ = parse_form_data(
        request.environ, max_content_length=MAX_BODY_BYTES, max_form_memory_size=MAX_BODY_BYTES
    )
    return form


def error_page(error: Exception) -> Response:
    if isinstance(error, InvalidLink):
        return page(
            "This link does not work",
            "It has expired, was already used up, or was not made by this service. Nothing"
            " was changed. If you still want to sign up, do it again: a new link will come.",
            status=400,
        )
    if isinstance(error, StorageUnavailable):
        response = page("Try again in a moment", "Nothing was changed.", status=503)
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return response
    if isinstance(error, CoreError):
        return page(error.title, str(error), status=STATUS_OF[error.kind])
    if isinstance(error, ClientError):
        return page("This request cannot be answered", str(error), status=error.status)
    raise error


def page_route(method: str, url: str) -> Callable[[Callable[..., Response]], Any]:
    """An HTTP route answering HTML pages; the core's and the request's errors as pages too."""

    def route(handler: Callable[..., Response]) -> Any:
        @functools.wraps(handler)
        def answering_pages(*args: Any, **kwargs: Any) -> Response:
            try:
                return handler(*args, **kwargs)
            except (ClientError, CoreError) as error:
                return error_page(error)

        return ApiRoute.decorator(method, url)(answering_pages)

    return route
