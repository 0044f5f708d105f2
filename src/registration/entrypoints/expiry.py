"""The expiry sweep's driving loop: a chore of the fleet (entrypoints/chores.py)."""

import logging

from prometheus_client import Counter, Gauge

from registration.adapters.sql.pending_expiry import earliest_expiry
from registration.application.use_cases.expire_pending_entries import ExpirePendingEntries
from registration.bootstrap import Application
from registration.entrypoints.chores import in_batches

log = logging.getLogger(__name__)

# An entry is erased within this (plus one round) after it expires.
EXPIRY_SWEEP_SECONDS = 15
# One transaction's worth; between batches other work runs.
BATCH_SIZE = 500
# A round stops starting batches after this, and leaves the rest to the next round.
ROUND_BUDGET_SECONDS = 10.0

EXPIRED = Counter("expired_entries_total", "Pending entries erased unconfirmed after their TTL.")
OVERDUE = Gauge(
    "pending_entries_overdue_seconds",
    "How long the longest-expired pending entry has waited for the sweep (0: none is due).",
)
LAST_SWEEP = Gauge(
    "expiry_sweep_last_success_timestamp_seconds",
    "When this process last finished a round of the expiry sweep, or saw another replica at it.",
)


def measure_overdue(app: Application) -> None:
    """Set OVERDUE from the store; the alert on it sees a sweep that stalled on any replica."""
    earliest = earliest_expiry(app.database)
    now = app.ports["clock"]()
    OVERDUE.set(0.0 if earliest is None else max(0.0, (now - earliest).total_seconds()))


def sweep_expired(app: Application, expire: ExpirePendingEntries) -> None:
    erased = in_batches(
        app, "expiry-sweep", expire, batch_size=BATCH_SIZE, budget_seconds=ROUND_BUDGET_SECONDS
    )
    if erased:
        log.info("erased %d pending entries past their confirmation TTL", erased)
    LAST_SWEEP.set_to_current_time()
