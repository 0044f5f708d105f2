"""What one load run measured, and the registration requests every load generator sends."""

import secrets
from dataclasses import asdict, dataclass

PATH = "/register"
EMAIL_DOMAIN = "bench.example.com"


def new_run_token() -> str:
    """Marks the addresses of one run, so its events can be told from every other run's."""
    return "b" + secrets.token_hex(5)


def registration_email(token: str, worker: str, counter: int) -> str:
    """A new address per request; the wrk Lua script builds the same shape."""
    return f"{token}-{worker}-{counter}@{EMAIL_DOMAIN}"


def run_token_of(email: str) -> str:
    return email.split("-", 1)[0]


@dataclass(frozen=True)
class LoadResult:
    requests: int  # responses received, whatever their status
    duration_s: float
    non_2xx: int
    socket_errors: int  # connect, read, write and timeout errors
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def answered_2xx(self) -> int:
        return max(0, self.requests - self.non_2xx)

    def to_dict(self) -> dict[str, object]:
        return {
            **asdict(self),
            "requests_per_s": self.requests_per_s,
            "answered_2xx": self.answered_2xx,
        }
