"""What the web server puts into each request's WSGI environ for the entrypoints to read."""

from werkzeug.wrappers import Request

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_KEY = "registration.request_id"  # the service's own id for the request
CLIENT_REQUEST_ID_KEY = "registration.client_request_id"  # the client's header, for logs only
FORWARDED_FOR_HEADER = "X-Forwarded-For"
FORWARDED_FOR_KEY = "registration.forwarded_for"  # the balancer's header, for logs only
DRAINING_KEY = "registration.draining"


def is_draining(request: Request) -> bool:
    """Whether the server serving `request` has begun to shut down."""
    return bool(request.environ.get(DRAINING_KEY))
