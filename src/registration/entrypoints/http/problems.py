"""Every error to its RFC 9457 problem document; no internals ever leak.

The core's errors declare their kind, code and title (domain/errors.py); the HTTP meaning of each
kind is the one table here. The HTTP adapter's own errors carry their status (client_errors.py).
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from registration.domain.errors import CoreError, ErrorKind
from registration.entrypoints.http.bearer import challenge
from registration.entrypoints.http.client_errors import ClientError
from registration.entrypoints.http.responses import json_response
from service_kit.problem_document import PROBLEM_JSON, problem_document, problem_type

log = logging.getLogger(__name__)

STATUS_OF = {
    ErrorKind.INVALID: 422,
    ErrorKind.CONFLICT: 409,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.UNAVAILABLE: 503,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
}
RETRY_AFTER_SECONDS = "5"


def problem(
    status: int, slug: str, title: str, detail: str, headers: dict[str, str] | None = None
) -> Response:
    body = problem_document(status, title, detail, problem_type(slug))
    return json_response(body, status=status, headers=headers, mimetype=PROBLEM_JSON)


def problem_for(error: BaseException) -> Response:
    if isinstance(error, ClientError):
        # An oversized body is left unread: the connection cannot be reused after it.
        extra = {"Connection": "close"} if error.status == 413 else None
        return problem(error.status, error.slug, error.title, str(error), extra)
    if isinstance(error, CoreError):
        return problem(
            STATUS_OF[error.kind], error.code, error.title, str(error), _headers_of(error)
        )
    if isinstance(error, HTTPException) and error.code and error.code < 500:
        slug = (error.name or "error").lower().replace(" ", "-")
        # werkzeug's own headers but its HTML type, e.g. the Allow that RFC 9110 requires on 405
        extra = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return problem(error.code, slug, error.name, error.description or error.name, extra)
    log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    return problem(
        500, "internal-error", "Internal server error", "The request could not be completed."
    )


def _headers_of(error: CoreError) -> dict[str, str] | None:
    if error.kind is ErrorKind.UNAVAILABLE:
        return {"Retry-After": RETRY_AFTER_SECONDS}
    refusal = challenge(error)
    return None if refusal is None else {"WWW-Authenticate": refusal}


def answers_problems(method: Callable[..., Response]) -> Callable[..., Response]:
    """Expected failures become problem responses inside the worker, so nameko does not log
    them as crashed workers; anything else still propagates to the 500 problem."""

    @functools.wraps(method)
    def handler(*args: Any, **kwargs: Any) -> Response:
        try:
            return method(*args, **kwargs)
        except (ClientError, CoreError) as error:
            return problem_for(error)

    return handler
