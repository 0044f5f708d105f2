"""The fleet's chores (the expiry sweep, the outbox prune): a nameko timer on every replica, the
work on one at a time, in short batches with a green yield between them, so that requests and
the relay go on while it runs."""

import time
from collections.abc import Callable

from registration.bootstrap import Application


def in_batches(
    app: Application,
    name: str,
    batch: Callable[[int], int],
    *,
    batch_size: int,
    budget_seconds: float,
) -> int | None:
    """Run `batch(batch_size)` (how many rows it handled) until one comes back short or the round's
    budget is spent; the rest waits for the next round. None: another replica holds the chore."""
    started = time.monotonic()
    done = 0
    with app.alone(name, seconds=budget_seconds * 3) as held:
        if not held:
            return None
        while True:
            handled = batch(batch_size)
            done += handled
            if handled < batch_size or time.monotonic() - started > budget_seconds:
                return done
            time.sleep(0)  # a green yield between transactions
