"""Pruning the outbox's published rows past OUTBOX_RETENTION_HOURS: a chore of the fleet
(entrypoints/chores.py), never on the relay's path, so a prune of millions of rows delays no event."""

import logging

from prometheus_client import Counter

from registration.bootstrap import Application
from registration.entrypoints.chores import in_batches

log = logging.getLogger(__name__)

# Expired rows go within this (plus the rounds a large backlog takes) after their retention.
PRUNE_SECONDS = 60
# One short DELETE; the relay and the requests go on between batches.
BATCH_SIZE = 5000
# A round stops starting batches after this, and leaves the rest to the next round.
ROUND_BUDGET_SECONDS = 20.0

PRUNED = Counter("outbox_pruned_total", "Published outbox rows deleted past their retention.")


def prune_outbox(app: Application) -> None:
    retention = app.settings.outbox_retention
    removed = in_batches(
        app,
        "outbox-prune",
        lambda limit: app.outbox.prune_published(retention, limit),
        batch_size=BATCH_SIZE,
        budget_seconds=ROUND_BUDGET_SECONDS,
    )
    if removed:
        PRUNED.inc(removed)
        log.info("pruned %d published outbox rows", removed)
