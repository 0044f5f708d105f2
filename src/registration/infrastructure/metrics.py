"""Prometheus metrics of the registration service (each use case's outcomes are declared beside
its entrypoint, see entrypoints/outcomes.py).

With several processes behind one port (WEB_CONCURRENCY > 1) `registration-run` sets
PROMETHEUS_MULTIPROC_DIR and any process's /metrics answers for all of them.
"""

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess

HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
# Read from the shared outbox at scrape time: the latest reading is the truth, whichever process.
OUTBOX_PENDING = Gauge(
    "outbox_pending_events",
    "Events stored but not yet confirmed by the broker.",
    multiprocess_mode="mostrecent",
)
OUTBOX_OLDEST_PENDING_AGE = Gauge(
    "outbox_oldest_pending_age_seconds",
    "Age of the oldest event not yet confirmed by the broker.",
    multiprocess_mode="mostrecent",
)
RELAY_PUBLISHED = Counter("outbox_relay_published_total", "Events the broker confirmed.")
RELAY_FAILURES = Counter(
    "outbox_relay_failures_total", "Relay rounds that failed (broker or database unreachable)."
)
# One series per live process: each runs its own relay, and a stuck one must not hide behind
# another's success.
RELAY_LAST_SUCCESS = Gauge(
    "outbox_relay_last_success_timestamp_seconds",
    "When this process's relay last completed a round (Unix time).",
    multiprocess_mode="liveall",
)
# Probed at scrape time; readiness does not depend on the broker (the outbox holds the events).
BROKER_UP = Gauge(
    "broker_up", "1 if RabbitMQ accepted a connection, else 0.", multiprocess_mode="mostrecent"
)
DATABASE_UP = Gauge(
    "database_up", "1 if PostgreSQL answered, else 0.", multiprocess_mode="mostrecent"
)


def registry() -> CollectorRegistry:
    """What /metrics exposes: this process, or every process sharing the multiprocess dir."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
    return combined
