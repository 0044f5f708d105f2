"""A bounded registration load: a few clients, each with unique addresses, each answer recorded.

The answer to a registration names no entry, so a registration is known by its address: each one
is new, which makes it name exactly one entry.

It stops by itself after `max_requests` per client or `max_seconds`, whichever comes first, so a
hung service can never hold a test forever.
"""

import threading
import time
from dataclasses import dataclass

import requests


@dataclass(frozen=True)
class Answer:
    email: str
    started_at: float  # time.monotonic()
    latency: float
    status: int | None  # None: no HTTP answer at all (refused, reset, timed out)
    content_type: str | None = None
    retry_after: str | None = None
    body: str = ""
    error: str | None = None

    @property
    def ended_at(self) -> float:
        return self.started_at + self.latency

    def within(self, start: float, end: float) -> bool:
        """Sent and answered entirely inside [start, end]."""
        return start <= self.started_at and self.ended_at <= end


class LoadDriver:
    def __init__(
        self,
        base_url: str,
        email_prefix: str,
        clients: int = 6,
        pause_seconds: float = 0.1,
        max_requests: int = 150,
        max_seconds: float = 40.0,
        request_timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url
        self.answers: list[Answer] = []
        self.email_prefix = email_prefix
        self._clients = clients
        self._pause = pause_seconds
        self._max_requests = max_requests
        self._max_seconds = max_seconds
        self._request_timeout = request_timeout
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> "LoadDriver":
        deadline = time.monotonic() + self._max_seconds
        self._threads = [
            threading.Thread(target=self._client, args=(n, deadline), daemon=True)
            for n in range(self._clients)
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> list[Answer]:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=self._request_timeout + 5)
        return sorted(self.answers, key=lambda answer: answer.started_at)

    def _client(self, number: int, deadline: float) -> None:
        session = requests.Session()
        try:
            for count in range(self._max_requests):
                if self._stopping.is_set() or time.monotonic() > deadline:
                    return
                self.answers.append(self._register(session, f"{self.email_prefix}{number}-{count}"))
                self._stopping.wait(self._pause)
        finally:
            session.close()

    def _register(self, session: requests.Session, local_part: str) -> Answer:
        email = f"{local_part}@example.com"
        started = time.monotonic()
        try:
            response = session.post(
                f"{self.base_url}/register", json={"email": email}, timeout=self._request_timeout
            )
        except requests.RequestException as error:
            session.close()  # a broken keep-alive connection must not poison the next request
            return Answer(email, started, time.monotonic() - started, None, error=repr(error))
        latency = time.monotonic() - started
        return Answer(
            email=email,
            started_at=started,
            latency=latency,
            status=response.status_code,
            content_type=response.headers.get("Content-Type"),
            retry_after=response.headers.get("Retry-After"),
            body=response.text[:300],
        )
