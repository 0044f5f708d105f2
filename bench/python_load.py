"""A load generator in Python for machines without wrk: fixed concurrency, keep-alive connections.

Each connection sends its next request as soon as the previous answer arrived, like wrk, and the
result is reported the same way. One asyncio loop is slower than wrk, so on a busy machine it may
cap what it can measure; the report names the generator used.
"""

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.load import PATH, LoadResult, registration_email
from bench.stats import percentile

SOCKET_TIMEOUT_S = 10.0


@dataclass
class _Tally:
    latencies_ms: list[float] = field(default_factory=list)
    non_2xx: int = 0
    socket_errors: int = 0


def run_python_load(
    base_url: str,
    *,
    token: str,
    connections: int,
    duration_s: float,
    total_requests: int = 0,
) -> LoadResult:
    """Load for duration_s; with total_requests, it stops once that many were sent."""
    return asyncio.run(_run(base_url, token, connections, duration_s, total_requests))


async def _run(
    base_url: str, token: str, connections: int, duration_s: float, total_requests: int
) -> LoadResult:
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    tally = _Tally()
    issued = itertools.count(1)
    started = time.perf_counter()
    deadline = started + duration_s

    def may_send() -> bool:
        if time.perf_counter() >= deadline:
            return False
        return not total_requests or next(issued) <= total_requests

    await asyncio.gather(
        *(_connection(host, port, token, f"c{n}", may_send, tally) for n in range(connections))
    )
    return LoadResult(
        requests=len(tally.latencies_ms),
        duration_s=time.perf_counter() - started,
        non_2xx=tally.non_2xx,
        socket_errors=tally.socket_errors,
        p50_ms=percentile(tally.latencies_ms, 50),
        p95_ms=percentile(tally.latencies_ms, 95),
        p99_ms=percentile(tally.latencies_ms, 99),
    )


def registration_request(host: str, port: int, email: str) -> bytes:
    body = json.dumps({"email": email}).encode()
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Reads one HTTP/1.1 response; returns its status and whether the connection stays open."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed before the response")
    status = int(status_line.split()[1])
    length, keep_alive, chunked = 0, True, False
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection":
            keep_alive = value != "close"
        elif name == "transfer-encoding":
            chunked = "chunked" in value
    if chunked:
        while size := int((await reader.readline()).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readline()
    else:
        await reader.readexactly(length)
    return status, keep_alive


async def _connection(
    host: str, port: int, token: str, worker: str, may_send, tally: _Tally
) -> None:
    counter = itertools.count(1)
    stream = None
    try:
        while may_send():
            email = registration_email(token, worker, next(counter))
            request = registration_request(host, port, email)
            try:
                if stream is None:
                    stream = await asyncio.wait_for(
                        asyncio.open_connection(host, port), SOCKET_TIMEOUT_S
                    )
                reader, writer = stream
                sent_at = time.perf_counter()
                writer.write(request)
                status, keep_alive = await asyncio.wait_for(read_response(reader), SOCKET_TIMEOUT_S)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                tally.socket_errors += 1
                stream = _closed(stream)
                continue
            tally.latencies_ms.append((time.perf_counter() - sent_at) * 1000)
            if not 200 <= status < 300:
                tally.non_2xx += 1
            if not keep_alive:
                stream = _closed(stream)
    finally:
        _closed(stream)


def _closed(stream):
    if stream is not None:
        stream[1].close()
    return None
