"""The peer from outside Nameko: the same HTTP contract on FastAPI, asyncpg and aio-pika.

Written the way a FastAPI team would write it today: uvicorn workers on uvloop and httptools,
pydantic's `EmailStr` for the address, one asyncpg pool per worker sized like our service's
(`MAX_WORKERS`), and one long-lived aio-pika channel with publisher confirms. `POST /register`
inserts the entry under a case-insensitive unique key, then publishes a persistent JSON
`RegisteredEntryEvent` and waits for the broker's confirm before answering 201.

Its guarantee is weaker than ours: the row and the event are a dual write. A crash, or a broker
that does not confirm, between the commit and the publish leaves an entry whose event never goes
out (no outbox, nothing retries it), and the client gets a 500 for a registration that was stored.

    DATABASE_URL=postgresql://... AMQP_URI=amqp://... uvicorn bench.fastapi_peer:app \
        --workers 2 --loop uvloop --http httptools --no-access-log
"""

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import aio_pika
import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, EmailStr

SERVICE_NAME = "fastapi_registration"
EXCHANGE = f"{SERVICE_NAME}.events"
EVENT_NAME = "RegisteredEntryEvent"

# Applied once before the workers start (see bench/run.py), not by each worker.
SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    registered_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS entries_email_key ON entries (lower(email));
"""
INSERT = "INSERT INTO entries (id, email, registered_at) VALUES ($1, $2, $3)"


class Registration(BaseModel):
    email: EmailStr


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    pool_size = int(os.environ.get("MAX_WORKERS", "10"))
    app.state.pool = await asyncpg.create_pool(
        os.environ["DATABASE_URL"], min_size=pool_size, max_size=pool_size
    )
    connection = await aio_pika.connect_robust(os.environ["AMQP_URI"])
    channel = await connection.channel(publisher_confirms=True)
    app.state.exchange = await channel.declare_exchange(
        EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
    )
    try:
        yield
    finally:
        await connection.close()
        await app.state.pool.close()


app = FastAPI(title="registration (FastAPI peer)", lifespan=lifespan)


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


@app.post("/register", status_code=201)
async def register(registration: Registration, request: Request) -> JSONResponse:
    entry_id, registered_at = uuid.uuid4(), datetime.now(UTC)
    email = str(registration.email)
    try:
        await request.app.state.pool.execute(INSERT, entry_id, email, registered_at)
    except asyncpg.UniqueViolationError:
        return _problem(409, "Already registered", "This address is already registered.")
    event = {
        "event_id": str(uuid.uuid4()),
        "name": EVENT_NAME,
        "entry_id": str(entry_id),
        "email": email,
        "timestamp": datetime.now(UTC).isoformat(),
    }
    # After the commit: a dual write (see the module's docstring).
    await request.app.state.exchange.publish(
        aio_pika.Message(
            json.dumps(event).encode(),
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=event["event_id"],
        ),
        routing_key=EVENT_NAME,
    )
    entry = {"id": str(entry_id), "email": email, "registered_at": registered_at.isoformat()}
    return JSONResponse(entry, status_code=201, headers={"Location": f"/entries/{entry_id}"})
