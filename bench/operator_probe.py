"""`python -m bench.operator_probe`: the service's own use cases and stores, timed call by call on
a database the lived-in benchmark made, in a process of their own (as `registration-entries` and
`registration-outbox` run beside the service). It prints one JSON document on stdout.

  operations  lookups by address and erasures, spaced out, while the benchmark's load runs
  growth      each cost the tables' size may move: an insert (a registration), a claim of a
              relay's batch, a prune batch, an erasure, a lookup, a replay of one hour (dry run)

The settings come from the environment and config.yml, as for the service.
"""

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.lived_in import address_of, entry_id_of

REPO_ROOT = Path(__file__).resolve().parent.parent


class _RolledBack(Exception):
    """Leaves a claim's transaction without committing it."""


def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _application() -> Any:
    from registration.bootstrap import bootstrap
    from service_kit.config_file import load_config

    return bootstrap(load_config(str(REPO_ROOT / "config.yml")))


def operations(args: argparse.Namespace) -> dict[str, object]:
    from registration.application.use_cases.erase_entry import EraseEntry
    from registration.application.use_cases.find_entry import FindEntry

    app = _application()
    chosen = random.Random(args.random_seed).sample(range(args.confirmed), 2 * args.calls)
    find, erase = app.use_case(FindEntry), app.use_case(EraseEntry)
    lookups, erasures = [], []
    started = time.time()
    try:
        for lookup, erasure in zip(chosen[: args.calls], chosen[args.calls :], strict=True):
            lookups.append(_timed(lambda n=lookup: find(address_of(n))))
            erasures.append(_timed(lambda n=erasure: erase(entry_id_of(n))))
            time.sleep(args.pause)
    finally:
        app.close()
    return {"started": started, "ended": time.time(), "lookup_ms": lookups, "erasure_ms": erasures}


def growth(args: argparse.Namespace) -> dict[str, object]:
    from registration.application.use_cases.erase_entry import EraseEntry
    from registration.application.use_cases.find_entry import FindEntry
    from registration.application.use_cases.register_entry import RegisterEntry

    app = _application()
    rng = random.Random(args.random_seed)
    chosen = rng.sample(range(args.confirmed), 2 * args.calls) if args.confirmed else []
    token = f"g{rng.getrandbits(32):08x}"
    figures: dict[str, dict[str, object]] = {}
    try:
        register = app.use_case(RegisterEntry)
        registered: list[Any] = []
        inserts = [
            _timed(lambda n=n: registered.append(register(f"{token}-{n}@growth.example.com")))
            for n in range(args.calls)
        ]
        figures["insert"] = {"ms": inserts, "rows": 1}
        # an empty database has only the entries just registered to look up and erase
        addresses = [address_of(n) for n in chosen[: args.calls]] or [
            registration.entry.email.value for registration in registered
        ]
        entry_ids = [entry_id_of(n) for n in chosen[args.calls :]] or [
            registration.entry.id for registration in registered
        ]

        def claim() -> int:
            try:
                with app.outbox.claim_pending(args.claim_batch) as batch:
                    claimed.append(len(batch))
                    raise _RolledBack
            except _RolledBack:
                return 0
            return 0

        claimed: list[int] = []
        figures["claim"] = {"ms": [_timed(claim) for _ in range(args.calls)], "rows": claimed[0]}

        find = app.use_case(FindEntry)
        lookups = [_timed(lambda a=a: find(a)) for a in addresses]
        figures["lookup"] = {"ms": lookups, "rows": 1}
        erase = app.use_case(EraseEntry)
        erasures = [_timed(lambda e=e: erase(e)) for e in entry_ids]
        figures["erasure"] = {"ms": erasures, "rows": 1}

        now = datetime.now(UTC)
        found: list[int] = []

        def replay() -> None:
            hour = (now - timedelta(hours=3), now - timedelta(hours=2))
            found.append(sum(1 for _ in app.outbox.stored_between(*hour)))

        figures["replay_hour"] = {
            "ms": [_timed(replay) for _ in range(args.replays)],
            "rows": found[0],
        }
        retention = timedelta(hours=args.retention_hours)
        batches: list[tuple[float, int]] = []
        for _ in range(args.prune_batches):
            started = time.perf_counter()
            rows = app.outbox.prune_published(retention, args.prune_batch)
            batches.append(((time.perf_counter() - started) * 1000, rows))
        # the full batches, when there are any: a short one means nothing was left to prune
        full = [batch for batch in batches if batch[1] == args.prune_batch] or batches
        figures["prune_batch"] = {"ms": [ms for ms, _ in full], "rows": full[0][1]}
    finally:
        app.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.operator_probe")
    parser.add_argument("command", choices=("operations", "growth"))
    parser.add_argument("--confirmed", type=int, required=True, help="confirmed entries built")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between two pairs")
    parser.add_argument("--random-seed", type=int, default=19)
    parser.add_argument("--claim-batch", type=int, default=200)
    parser.add_argument("--prune-batch", type=int, default=5000)
    parser.add_argument("--prune-batches", type=int, default=5)
    parser.add_argument("--replays", type=int, default=3)
    parser.add_argument("--retention-hours", type=float, default=168.0)
    args = parser.parse_args(argv)
    result = operations(args) if args.command == "operations" else growth(args)
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
