from typing import Any

from werkzeug.wrappers import Response

from registration.infrastructure.compact_json import compact_json

JSON = "application/json"


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None, mimetype: str = JSON
) -> Response:
    return Response(
        compact_json(body),
        status=status,
        headers=headers,
        mimetype=mimetype,
    )


def no_content() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response
