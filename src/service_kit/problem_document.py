"""The RFC 9457 problem document both services answer errors with, and its media type.

Only the document: each HTTP layer wraps it in its own response (a werkzeug Response, or the
bytes a server writes itself).
"""

import json
from typing import Any

PROBLEM_JSON = "application/problem+json"
# RFC 9457 4.2: the type of a problem that needs no more than its HTTP status to be understood
ABOUT_BLANK = "about:blank"


def problem_document(
    status: int, title: str, detail: str, type: str = ABOUT_BLANK
) -> dict[str, Any]:
    return {"type": type, "title": title, "status": status, "detail": detail}


def problem_type(slug: str) -> str:
    """The type of one of the services' own problems, a relative URI such as /problems/x."""
    return f"/problems/{slug}"


def problem_json(status: int, title: str, detail: str, type: str = ABOUT_BLANK) -> str:
    return json.dumps(problem_document(status, title, detail, type))
