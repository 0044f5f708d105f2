import json
from typing import Any

from werkzeug.wrappers import Response

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None, mimetype: str = JSON
) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        headers=headers,
        mimetype=mimetype,
    )
