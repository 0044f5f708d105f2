"""`python -m bench.run --lived-in`: ours on an empty database against ours on a lived-in one.

One run builds the lived-in database once (bench/lived_in.py), then, for ours x1 and ours xN in
turn, starts the service cold on a fresh empty database and on a fresh copy of the lived-in one,
each for a window of load (rounds back to back) long enough to cover its first outbox prune.
While the load runs the bench samples `GET /health/ready` and `GET /metrics`, watches when the
prune and the expiry sweep run, and (lived-in) times lookups by address and erasures in a process
of their own. Afterwards it times each cost that may grow with the tables (bench/operator_probe.py
growth) on an empty, a tenth-size and the full lived-in database. The peers are not run.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import psycopg2

from bench.broker import exchange_removed_afterwards, queue_removed_afterwards
from bench.database import temporary_database
from bench.event_stats import lag_ms
from bench.events import EventRecorder
from bench.lived_in import LivedInShape, build_lived_in, cloned_database
from bench.lived_in_report import write_lived_in_reports
from bench.lived_in_summary import EMPTY, LIVED_IN, TimedEvent, Window, evaluate_lived_in_targets
from bench.load import new_run_token
from bench.load_generator import LoadGenerator, choose_load_generator
from bench.machine import describe_machine
from bench.probes import ChoreWatcher, SamplerProcess, metric_value, running
from bench.processes import free_port, http_ready, running_service
from bench.services import (
    OUR_EXCHANGE,
    OUR_READINESS_PATH,
    OUR_RPC_QUEUE,
    REPO_ROOT,
    RPC_EXCHANGE,
    VENV_BIN,
    our_service_command,
    our_service_env,
    processes_per_core,
)
from bench.summary import OURS, OURS_SINGLE

SIGN_UP_EVENT = "ConfirmationRequested"
# The prune's first round starts PRUNE_SECONDS (60 s) after the service; the window covers it
# and its 20 s budget, with room to spare.
DEFAULT_WINDOW_S = 110.0
# The operator's calls start this long after the service, so that they span the first prune.
OPERATIONS_AFTER_S = 45.0
START_TIMEOUT_S = 300.0
DRAIN_TIMEOUT_S = 60.0
GROWTH_SMALL_FRACTION = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("lived-in mode (--lived-in)")
    group.add_argument(
        "--lived-in",
        action="store_true",
        help="ours on an empty and on a lived-in database, side by side (writes lived-in.*)",
    )
    group.add_argument("--entries", type=int, default=10_000_000, help="default 10,000,000")
    group.add_argument("--outbox-rows", type=int, default=10_000_000, help="default 10,000,000")
    group.add_argument(
        "--window",
        type=float,
        default=DEFAULT_WINDOW_S,
        help=f"seconds of load per service, from its start (default {DEFAULT_WINDOW_S:g})",
    )
    group.add_argument("--operator-calls", type=int, default=200, help="lookups and erasures")
    group.add_argument("--skip-growth", action="store_true", help="no growth measurement")


def measure(args: argparse.Namespace, stack: ExitStack) -> str:
    """What the benchmark creates is removed by `stack` on the way out."""
    from bench.run import _progress

    shape = LivedInShape(entries=args.entries, outbox_rows=args.outbox_rows)
    machine = describe_machine()
    load = choose_load_generator(args.threads)
    n = processes_per_core()
    stack.enter_context(exchange_removed_afterwards(args.amqp_uri, OUR_EXCHANGE))
    stack.enter_context(exchange_removed_afterwards(args.amqp_uri, RPC_EXCHANGE))
    stack.enter_context(queue_removed_afterwards(args.amqp_uri, OUR_RPC_QUEUE))
    recorder = stack.enter_context(
        EventRecorder(args.amqp_uri, OUR_EXCHANGE, routing_key=SIGN_UP_EVENT)
    )
    template = stack.enter_context(temporary_database(args.postgres_admin_url))
    _progress(f"building the lived-in database: {shape.to_dict()}")
    build = build_lived_in(template, shape, progress=_progress)
    _progress(f"lived-in database built in {build.total_s:.1f} s ({build.sizes_mb})")

    windows = []
    for contender, processes in ((OURS_SINGLE, 1), (OURS, n)):
        for database in (EMPTY, LIVED_IN):
            windows.append(
                _window(args, load, recorder, shape, template, contender, processes, database)
            )
    growth = {} if args.skip_growth else _growth(args, shape, template)
    setup = {
        "load_generator": load.name,
        "round_s": args.duration,
        "window_s": args.window,
        "connections": args.connections,
        "web_concurrency": n,
        "operator_calls": args.operator_calls,
    }
    targets = evaluate_lived_in_targets(windows, (OURS_SINGLE, OURS))
    return write_lived_in_reports(
        args.out,
        machine=machine,
        setup=setup,
        build=build,
        windows=windows,
        growth=growth,
        targets=targets,
    )


def _window(
    args: argparse.Namespace,
    load: LoadGenerator,
    recorder: EventRecorder,
    shape: LivedInShape,
    template: str,
    contender: str,
    processes: int,
    database: str,
) -> Window:
    from bench.run import _progress, await_events

    logs = args.out / "tmp"
    with ExitStack() as stack:
        if database == LIVED_IN:
            _progress(f"{contender} {database}: copying the lived-in database")
            url = stack.enter_context(cloned_database(args.postgres_admin_url, template))
        else:
            url = stack.enter_context(temporary_database(args.postgres_admin_url))
        port, management = free_port(), free_port()
        env = {
            **our_service_env(url, args.amqp_uri, port, processes),
            "MANAGEMENT_ADDRESS": f"127.0.0.1:{management}",
        }
        window = Window(contender, database, processes, started_at=time.time())
        _progress(f"{contender} {database}: starting cold ({processes} process(es))")
        service = stack.enter_context(
            running_service(
                contender,
                our_service_command(),
                env,
                port,
                logs / f"lived-in-{processes}-{database}.log",
                http_ready(OUR_READINESS_PATH),
                START_TIMEOUT_S,
                cwd=REPO_ROOT,
            )
        )
        _progress(f"{contender} {database}: ready after {time.time() - window.started_at:.1f} s")
        sampler = SamplerProcess(
            {
                "ready": service.base_url + OUR_READINESS_PATH,
                "metrics": f"http://127.0.0.1:{management}/metrics",
            }
        )
        watcher = ChoreWatcher(url)
        deleted_before = _rows_deleted(url)
        operations = None
        tokens: list[tuple[str, int, float]] = []
        with running(sampler, watcher):
            while time.time() - window.started_at < args.window:
                if (
                    operations is None
                    and database == LIVED_IN
                    and time.time() - window.started_at >= OPERATIONS_AFTER_S
                ):
                    operations = _start_operations(args, url, shape, logs)
                token = new_run_token()
                result = load.run(
                    service.base_url,
                    token=token,
                    connections=args.connections,
                    duration_s=args.duration,
                )
                tokens.append((token, result.answered_2xx, time.time()))
                window.rounds.append(result)
                _progress(
                    f"{window.label:>20} round {len(window.rounds):>2} at "
                    f"{time.time() - window.started_at:5.0f} s: {result.requests_per_s:7,.0f} "
                    f"req/s  p99 {result.p99_ms or 0:6.1f} ms  non-2xx {result.non_2xx}"
                )
                if service.process.poll() is not None:
                    raise RuntimeError(f"{contender} died:\n{service.log_tail()}")
            if operations is not None:
                window.operations_ms = _finish_operations(operations)
        for token, expected, ended_at in tokens:
            stats = await_events(recorder, token, expected, ended_at)
            window.missing_events += stats.missing
            window.duplicate_events += stats.duplicates
            for event in recorder.events_of_run(token):
                lag = lag_ms(event)
                if lag is not None:
                    created = event.received_at - lag / 1000
                    window.events.append(TimedEvent(created, event.received_at, lag))
        window.prunes = watcher.intervals("outbox-prune")
        window.sweeps = watcher.intervals("expiry-sweep")
        window.probe_ms = {
            name: [sample.ms for sample in samples] for name, samples in sampler.samples.items()
        }
        pruned = [
            metric_value(sample.body, "outbox_pruned_total") or 0.0
            for sample in sampler.samples.get("metrics", [])
        ]
        after = _rows_deleted(url)
        window.rows_deleted = {
            table: after[table] - deleted_before.get(table, 0) for table in after
        }
        window.rows_deleted["pruned_seen_in_metrics"] = int(max(pruned, default=0))
        _progress(
            f"{window.label}: {window.requests_per_s or 0:,.0f} req/s (median), prunes "
            f"{[(round(i.start - window.started_at), round(i.seconds, 1)) for i in window.prunes]},"
            f" deleted {window.rows_deleted}"
        )
        return window


def _rows_deleted(database_url: str) -> dict[str, int]:
    """Rows deleted per table since the statistics began (the prune, the sweep, the erasures)."""
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_force_next_flush()")
            cursor.execute(
                "SELECT relname, n_tup_del FROM pg_stat_user_tables WHERE relname IN"
                " ('entries', 'outbox')"
            )
            return {name: int(count) for name, count in cursor.fetchall()}
    finally:
        connection.close()


def _probe_env(database_url: str, args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "AMQP_URI": args.amqp_uri,
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
    }


def _start_operations(
    args: argparse.Namespace, database_url: str, shape: LivedInShape, logs: Path
) -> subprocess.Popen[str]:
    command = [
        str(VENV_BIN / "python"),
        "-m",
        "bench.operator_probe",
        "operations",
        "--confirmed",
        str(shape.confirmed_entries),
        "--calls",
        str(args.operator_calls),
    ]
    return subprocess.Popen(
        command,
        env=_probe_env(database_url, args),
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=(logs / "operator-probe.log").open("a"),
        text=True,
        start_new_session=True,
    )


def _finish_operations(process: subprocess.Popen[str]) -> dict[str, list[float]]:
    try:
        output, _ = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    if process.returncode != 0:
        raise RuntimeError(f"the operator probe failed ({process.returncode})")
    result = json.loads(output)
    return {"lookup": result["lookup_ms"], "erasure": result["erasure_ms"]}


def _growth(
    args: argparse.Namespace, shape: LivedInShape, template: str
) -> dict[str, dict[str, object]]:
    """Each cost on an empty database, a tenth of the lived-in one, and the lived-in one."""
    from bench.run import _progress

    small = LivedInShape(
        entries=max(1, shape.entries // GROWTH_SMALL_FRACTION),
        outbox_rows=shape.outbox_rows // GROWTH_SMALL_FRACTION,
    )
    sizes: dict[str, dict[str, object]] = {}
    with temporary_database(args.postgres_admin_url) as empty:
        from registration.adapters.sql.migrate import upgrade_to_head

        upgrade_to_head(empty)
        sizes["empty"] = {"entries": 0, "outbox_rows": 0, "costs": _run_growth(args, empty, 0)}
    with temporary_database(args.postgres_admin_url) as url:
        _progress(
            f"growth: building a tenth-size database ({small.entries:,} + {small.outbox_rows:,})"
        )
        build_lived_in(url, small)
        sizes["tenth"] = {
            "entries": small.entries,
            "outbox_rows": small.outbox_rows,
            "costs": _run_growth(args, url, small.confirmed_entries),
        }
    sizes["lived-in"] = {
        "entries": shape.entries,
        "outbox_rows": shape.outbox_rows,
        "costs": _run_growth(args, template, shape.confirmed_entries),
    }
    return sizes


def _run_growth(args: argparse.Namespace, database_url: str, confirmed: int) -> dict[str, object]:
    from bench.run import _progress

    _progress(f"growth: timing each cost ({confirmed:,} confirmed entries)")
    command = [
        str(VENV_BIN / "python"),
        "-m",
        "bench.operator_probe",
        "growth",
        "--confirmed",
        str(confirmed),
        "--calls",
        "100",
    ]
    done = subprocess.run(
        command,
        env=_probe_env(database_url, args),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the growth probe failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


if __name__ == "__main__":
    sys.exit("run it as python -m bench.run --lived-in")
