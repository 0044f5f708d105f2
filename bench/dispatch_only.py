"""The yardstick: nameko's dispatch-only registration example, with the seed's bugs fixed.

`POST /register` parses `{"email": ...}` and dispatches one `RegisteredEntryEvent` through
nameko's `EventDispatcher` (publisher confirms on); nothing is validated further or stored. It is
what the issue compares against, so it stays plain, idiomatic nameko: no tuning either way.

    nameko run --config <yaml with AMQP_URI and WEB_SERVER_ADDRESS> bench.dispatch_only
"""

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from nameko.events import EventDispatcher
from nameko.exceptions import BadRequest
from nameko.web.handlers import http


def _utc_now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class RegisteredEntryEvent:
    email: str
    name: str = "RegisteredEntryEvent"
    event_id: str = field(default_factory=_new_id)
    entry_id: str = field(default_factory=_new_id)
    # made per instance: the seed evaluated datetime.now() once, at import
    timestamp: str = field(default_factory=_utc_now_iso)

    def to_dict(self) -> dict[str, str]:
        # JSON primitives only: kombu would wrap a datetime in its own envelope
        return asdict(self)


def _email_from(body: bytes) -> str:
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise BadRequest("the body is not valid JSON") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("email"), str):
        raise BadRequest('expected a JSON object with a string "email"')
    return payload["email"]


class DispatchOnlyExample:
    name = "dispatch_only_example"

    dispatch = EventDispatcher()

    # BadRequest is the one exception nameko's @http turns into a 400 instead of a 500
    @http("POST", "/register", expected_exceptions=BadRequest)
    def register(self, request):
        event = RegisteredEntryEvent(email=_email_from(request.get_data()))
        self.dispatch(event.name, event.to_dict())
        body = json.dumps({"entry_id": event.entry_id, "email": event.email})
        return 201, {"Content-Type": "application/json"}, body
