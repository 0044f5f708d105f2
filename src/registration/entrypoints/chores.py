"""The fleet's chores (the expiry sweep, the outbox prune): a nameko timer on every replica, the
work on one at a time, in short batches with a green rest between them, so that requests and
the relay go on while it runs."""

import time
from collections.abc import Callable

from registration.bootstrap import Application

# A chore's batches take at most this share of its round: after each, it rests three times as
# long as the batch took, so that a backlog of millions of rows (a database that has lived, a
# shortened retention) leaves most of the database's time to the requests and the relay.
BUSY_SHARE = 0.25


def in_batches(
    app: Application,
    name: str,
    batch: Callable[[int], int],
    *,
    batch_size: int,
    budget_seconds: float,
) -> int | None:
    """Run `batch(batch_size)` (how many rows it handled), resting between batches, until one
    comes back short or the round's budget is spent; the rest waits for the next round.
    None: another replica holds the chore."""
    started = time.monotonic()
    done = 0
    with app.alone(name, seconds=budget_seconds * 3) as held:
        if not held:
            return None
        while True:
            batch_started = time.monotonic()
            handled = batch(batch_size)
            done += handled
            now = time.monotonic()
            if handled < batch_size or now - started > budget_seconds:
                return done
            time.sleep((now - batch_started) * (1 / BUSY_SHARE - 1))  # green, between transactions
