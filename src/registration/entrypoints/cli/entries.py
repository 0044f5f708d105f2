"""`registration-entries`: an operator's lookup and erasure, for a request about one address.

  registration-entries find  < address.txt    # the address on stdin
  registration-entries erase ENTRY_ID

The address is read from stdin, never from the command line: arguments land in shell history and
in every process listing. Each run writes an audit line (`registration.audit`) naming the
operator (`--operator`, by default the login name) and the entry id, never the address. The
erasure is the service's own (its `EntryErased` leaves through the outbox, relayed by the
running service); output is one JSON line, and the exit status 0 found or erased, 1 not.
"""

import argparse
import getpass
import json
import sys
from collections.abc import Callable

from registration.application.use_cases.erase_entry import EraseEntry
from registration.application.use_cases.find_entry import FindEntry
from registration.bootstrap import Application, bootstrap
from registration.domain.errors import CoreError
from registration.entrypoints.audit import audited
from registration.entrypoints.service import entry_representation
from service_kit.config_file import load_config
from service_kit.logging import configure_logging


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    config = load_config(args.config)
    configure_logging(config)  # the audit line goes where the service's lines go
    app = bootstrap(config)
    actor = f"cli:{args.operator}"
    try:
        return _answer(lambda: _run(app, args, actor))
    finally:
        app.close()


def _run(app: Application, args: argparse.Namespace, actor: str) -> dict[str, object]:
    if args.command == "find":
        with audited("lookup", actor) as record:
            entry = app.use_case(FindEntry)(sys.stdin.readline())
            record.entry_id = entry.id
        return entry_representation(entry)
    with audited("erase", actor, args.entry_id):
        app.use_case(EraseEntry)(args.entry_id)
    return {"erased": args.entry_id}


def _answer(run: Callable[[], dict[str, object]]) -> int:
    try:
        print(json.dumps(run()))
    except CoreError as error:
        print(json.dumps({"error": error.code, "detail": str(error)}))
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="registration-entries", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--config", help="config file (default: $CONFIG, else ./config.yml, else the packaged one)"
    )
    parser.add_argument(
        "--operator", default=getpass.getuser(), help="who asks, for the audit line"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("find", help="the entry of the address given on stdin")
    erase = commands.add_parser("erase", help="erase an entry, as DELETE /entries/{id} does")
    erase.add_argument("entry_id")
    return parser


if __name__ == "__main__":
    sys.exit(main())
