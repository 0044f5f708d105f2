"""`registration-outbox`: look at the outbox and replay stored events.

  registration-outbox status
  registration-outbox replay --since 2026-11-01T00:00:00+00:00 [--until ...] [--dry-run]

Replay re-publishes every stored event created in [since, until) with its original event_id, so
a new subscriber can catch up; subscribers that already have an event drop it as a duplicate.
Stored means: not yet pruned (OUTBOX_RETENTION_HOURS).
"""

import argparse
import json
import sys
from datetime import UTC, datetime
from itertools import islice

from registration.adapters.outbox.store import OutboxStore
from registration.bootstrap import OutboxTools, outbox_tools
from service_kit.config_file import load_config


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    tools = outbox_tools(load_config(args.config))
    try:
        if args.command == "status":
            return _status(tools.store)
        return _replay(tools, args)
    finally:
        tools.close()


def _status(store: OutboxStore) -> int:
    status = store.status()
    oldest = status.oldest_pending_created_at
    print(
        json.dumps(
            {
                "pending": status.pending,
                "oldest_pending_created_at": oldest.isoformat() if oldest else None,
                "oldest_pending_age_seconds": round(
                    status.oldest_pending_age_seconds(datetime.now(UTC)), 3
                ),
            }
        )
    )
    return 0


def _replay(tools: OutboxTools, args: argparse.Namespace) -> int:
    messages = tools.store.stored_between(args.since, args.until)
    if args.dry_run:
        print(json.dumps({"would_replay": sum(1 for _ in messages)}))
        return 0
    sink = tools.open_sink()
    replayed = 0
    try:
        while batch := list(islice(messages, tools.settings.outbox_batch_size)):
            sink.publish(batch)
            replayed += len(batch)
    finally:
        sink.close()
    print(json.dumps({"replayed": replayed}))
    return 0


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 date and time, e.g. 2026-11-01T00:00:00+00:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="registration-outbox", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--config", help="config file (default: $CONFIG, else ./config.yml, else the packaged one)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("status", help="pending count and the oldest pending event's age")
    replay = commands.add_parser("replay", help="re-publish stored events of a time range")
    replay.add_argument("--since", type=_moment, required=True, help="ISO-8601, inclusive")
    replay.add_argument(
        "--until", type=_moment, default=datetime.now(UTC), help="ISO-8601, exclusive (now)"
    )
    replay.add_argument("--dry-run", action="store_true", help="only count what would be sent")
    return parser


if __name__ == "__main__":
    sys.exit(main())
