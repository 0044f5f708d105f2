"""Events published exactly as the contract says, with a plain kombu producer."""

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from kombu import Connection, Exchange

CONTRACT_SOURCE_SERVICE = "nameko_registration_service"
ROUTING_KEY = "RegisteredEntryEvent"


def event_exchange(source_service: str = CONTRACT_SOURCE_SERVICE) -> Exchange:
    return Exchange(f"{source_service}.events", type="topic", durable=True)


def registered_entry_payload(email: str | None = None, event_id: str | None = None) -> dict:
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "name": "RegisteredEntryEvent",
        "entry_id": str(uuid.uuid4()),
        "email": email or f"user-{uuid.uuid4().hex[:12]}@example.com",
        "timestamp": datetime.now(UTC).isoformat(),
    }


def confirmation_requested_payload(email: str | None = None) -> dict:
    entry_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    return {
        "event_id": str(uuid.uuid4()),
        "name": "ConfirmationRequested",
        "entry_id": entry_id,
        "email": email or f"user-{uuid.uuid4().hex[:12]}@example.com",
        "confirm_url": f"https://signup.example.org/confirm/c-{entry_id}",
        "erase_url": f"https://signup.example.org/erase/e-{entry_id}",
        "expires_at": (now + timedelta(hours=48)).isoformat(),
        "timestamp": now.isoformat(),
    }


def entry_erased_payload(entry_id: str, event_id: str | None = None) -> dict:
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "name": "EntryErased",
        "entry_id": entry_id,
        "timestamp": datetime.now(UTC).isoformat(),
    }


def publish_event(
    amqp_uri: str,
    payload: dict,
    request_id: str = "req-test",
    source_service: str = CONTRACT_SOURCE_SERVICE,
    event_type: str = ROUTING_KEY,
) -> None:
    publish_raw(
        amqp_uri,
        json.dumps(payload).encode("utf-8"),
        message_id=payload.get("event_id"),
        headers={"x-request-id": request_id},
        source_service=source_service,
        event_type=event_type,
    )


def publish_raw(
    amqp_uri: str,
    body: bytes,
    message_id: str | None = None,
    headers: dict[str, Any] | None = None,
    content_type: str = "application/json",
    source_service: str = CONTRACT_SOURCE_SERVICE,
    event_type: str = ROUTING_KEY,
) -> None:
    properties = {"message_id": message_id} if message_id else {}
    exchange = event_exchange(source_service)
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
        connection.Producer().publish(
            body,
            exchange=exchange,
            routing_key=event_type,
            content_type=content_type,
            content_encoding="utf-8",
            delivery_mode=2,
            type=event_type,
            timestamp=int(time.time()),
            headers=headers or {},
            declare=[exchange],
            **properties,
        )
