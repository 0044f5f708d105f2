"""`python -m bench.run`: our registration service against the stacks users would pick instead.

Two pairs of equal process counts: ours in one process against nameko's dispatch-only example,
and ours in N processes (one per core) against a FastAPI + asyncpg + aio-pika peer on N uvicorn
workers. One run starts all four (ours and the peer each on a fresh PostgreSQL database), drives
them in turn with the same load, round after round, records every event they publish, writes
latest.json/.md/.png and prints the table.
It exits 0 when targets fail (it is a measurement) and non-zero when the run itself breaks;
whatever it started or created is stopped and removed on the way out, Ctrl-C included.
"""

import argparse
import os
import signal
import sys
import time
import traceback
from contextlib import ExitStack
from pathlib import Path

from bench import lived_in_run
from bench.broker import exchange_removed_afterwards, queue_removed_afterwards
from bench.cpu import server_side_cpu
from bench.database import ADMIN_URL, create_fastapi_schema, temporary_database
from bench.event_stats import EventStats, event_stats, lag_ms
from bench.events import EventRecorder
from bench.load import LoadResult, new_run_token
from bench.load_generator import LoadGenerator, choose_load_generator
from bench.machine import describe_machine
from bench.processes import (
    RunningService,
    free_port,
    http_ready,
    running_service,
    tcp_ready,
    tree_rss_bytes,
)
from bench.report import write_reports
from bench.services import (
    DISPATCH_ONLY_CONFIG,
    DISPATCH_ONLY_EXCHANGE,
    FASTAPI_EXCHANGE,
    FASTAPI_READINESS_PATH,
    OUR_EXCHANGE,
    OUR_READINESS_PATH,
    OUR_RPC_QUEUE,
    REPO_ROOT,
    RPC_EXCHANGE,
    dispatch_only_command,
    dispatch_only_env,
    fastapi_command,
    fastapi_env,
    our_service_command,
    our_service_env,
    processes_per_core,
)
from bench.summary import (
    C50,
    DISPATCH_ONLY,
    FASTAPI,
    MEMORY,
    OURS,
    OURS_SINGLE,
    ROUND,
    MemoryGrowth,
    RunResult,
    summarize,
)
from bench.targets import evaluate_targets

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
HIGH_CONCURRENCY = 50
WARM_UP_S = 3
MEMORY_WARM_UP_REGISTRATIONS = 5_000
DRAIN_TIMEOUT_S = 30
STRAGGLER_WAIT_S = 0.5
SIGN_UP_EVENT = "ConfirmationRequested"
OUR_START_TIMEOUT_S = 120  # includes the migrations
MB = 1024 * 1024
BOTH_PAIRS, SINGLE_PROCESS, PEER = "both", "single-process", "peer"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    # Single rounds move by up to 1.4x on a shared 2-core machine: five medians steadier than three.
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds of every contender (default 5)"
    )
    parser.add_argument("--duration", type=float, default=8, help="seconds per run (default 8)")
    parser.add_argument("--connections", type=int, default=10, help="concurrency (default 10)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument(
        "--memory-requests",
        type=int,
        default=100_000,
        help="registrations between the two RSS readings (default 100000)",
    )
    parser.add_argument("--skip-memory", action="store_true", help="no RSS measurement")
    parser.add_argument(
        "--pairs",
        choices=(BOTH_PAIRS, SINGLE_PROCESS, PEER),
        default=BOTH_PAIRS,
        help=f"{SINGLE_PROCESS}: ours x1 vs dispatch-only; {PEER}: ours xN vs FastAPI xN"
        " (default both)",
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI", DEFAULT_AMQP_URI))
    parser.add_argument("--postgres-admin-url", default=ADMIN_URL)
    lived_in_run.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration <= 0 or args.connections < 1 or args.memory_requests < 1:
        parser.error("--rounds, --duration, --connections and --memory-requests must be positive")
    return args


class Bench:
    """Drives the services and accounts for our events while one measurement runs."""

    def __init__(self, load: LoadGenerator) -> None:
        self.load = load
        # Every service's events are consumed the same way while it runs, so the consumer's
        # share of the machine weighs on every side alike.
        self.recorders: dict[str, EventRecorder] = {}
        self.ours: RunningService | None = None

    def drive(
        self,
        service: RunningService,
        connections: int,
        duration_s: float,
        total_requests: int = 0,
    ) -> tuple[str, LoadResult, EventStats | None]:
        token = new_run_token()
        result = self.load.run(
            service.base_url,
            token=token,
            connections=connections,
            duration_s=duration_s,
            total_requests=total_requests,
        )
        ended_at = time.time()
        if service.process.poll() is not None:
            raise RuntimeError(f"{service.name} died during the run:\n{service.log_tail()}")
        recorder = self.recorders.get(service.name)
        events = None
        if recorder is not None:
            events = await_events(recorder, token, result.answered_2xx, ended_at)
        return token, result, events

    def run(
        self, service: RunningService, kind: str, number: int, connections: int, duration_s: float
    ) -> RunResult:
        before = server_side_cpu(service.process.pid)
        token, result, events = self.drive(service, connections, duration_s)
        # read once the events are in: the relay's publishing of the run is the run's work too
        cpu_s = server_side_cpu(service.process.pid).seconds_since(before)
        run = RunResult(service.name, kind, number, connections, result, token, events, cpu_s)
        _progress(_describe(run))
        return run

    def memory_growth(self, registrations: int, connections: int) -> tuple[RunResult, MemoryGrowth]:
        """RSS of our whole process tree before and after the registrations, after a warm-up.

        Each reading waits until the relay has published what was registered."""
        assert self.ours is not None
        warm_up = MEMORY_WARM_UP_REGISTRATIONS
        _progress(f"memory: warming up with {warm_up:,} registrations")
        self.drive(self.ours, connections, _time_cap(warm_up), warm_up)
        before = tree_rss_bytes(self.ours.process.pid)
        _progress(f"memory: {registrations:,} registrations")
        token, result, events = self.drive(
            self.ours, connections, _time_cap(registrations), registrations
        )
        after = tree_rss_bytes(self.ours.process.pid)
        run = RunResult(OURS, MEMORY, 1, connections, result, token, events)
        _progress(_describe(run))
        return run, MemoryGrowth(result.answered_2xx, before / MB, after / MB)

    def lags_ms(self, runs: list[RunResult]) -> list[float]:
        """Event lag over every event of our timed runs (the memory run is not timed)."""
        timed = [
            run for run in runs if run.service in (OURS, OURS_SINGLE) and run.kind in (ROUND, C50)
        ]
        lags = (
            lag_ms(event)
            for run in timed
            for event in self.recorders[run.service].events_of_run(run.token)
        )
        return [lag for lag in lags if lag is not None]


def await_events(recorder: EventRecorder, token: str, expected: int, ended_at: float) -> EventStats:
    """Waits until as many events arrived as registrations were answered, or the timeout."""
    deadline = ended_at + DRAIN_TIMEOUT_S
    while time.time() < deadline:
        recorder.raise_if_failed()
        if recorder.distinct_events_of_run(token) >= expected:
            break
        time.sleep(0.05)
    time.sleep(STRAGGLER_WAIT_S)  # so that redeliveries are counted as duplicates
    return event_stats(recorder.events_of_run(token), expected, ended_at)


def _time_cap(registrations: int) -> float:
    # a bounded run stops by count; the duration only guards against a stalled service
    return max(120.0, registrations / 50)


def _describe(run: RunResult) -> str:
    load, events = run.load, run.events
    text = (
        f"{run.service:>13} {run.label:<8} -c{run.connections:<3} {load.requests_per_s:8,.0f} req/s"
        f"  p99 {load.p99_ms or 0:6.1f} ms  non-2xx {load.non_2xx}  errors {load.socket_errors}"
    )
    if run.cpu_ms_per_request is not None:
        text += f"  cpu {run.cpu_ms_per_request:.2f} ms/req"
    if events is not None:
        drain = "timed out" if events.drain_s is None else f"{events.drain_s:.2f} s"
        text += (
            f"  events {events.distinct}/{events.expected} (dup {events.duplicates})"
            f"  lag p99 {events.lag_p99_ms or 0:.1f} ms  drain {drain}"
        )
    return text


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(args: argparse.Namespace) -> str:
    stack = ExitStack()
    try:
        return _measure(args, stack)
    finally:
        # cleanup must finish: a second Ctrl-C would leave a database or a process behind
        previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            stack.close()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def _measure(args: argparse.Namespace, stack: ExitStack) -> str:
    if not Path(our_service_command()[0]).exists():
        raise RuntimeError(
            f"{our_service_command()[0]} does not exist: install the project (make install)"
        )
    if args.lived_in:
        return lived_in_run.measure(args, stack)
    machine = describe_machine()  # before our own load moves the load average
    bench = Bench(choose_load_generator(args.threads))
    logs = args.out / "tmp"
    logs.mkdir(parents=True, exist_ok=True)
    n = processes_per_core()
    stack.enter_context(exchange_removed_afterwards(args.amqp_uri, OUR_EXCHANGE))
    stack.enter_context(exchange_removed_afterwards(args.amqp_uri, RPC_EXCHANGE))
    stack.enter_context(queue_removed_afterwards(args.amqp_uri, OUR_RPC_QUEUE))
    contenders: list[RunningService] = []
    if args.pairs in (BOTH_PAIRS, SINGLE_PROCESS):
        contenders.append(_start_ours(OURS_SINGLE, 1, args, stack, logs))
        contenders.append(_start_dispatch_only(args, stack, logs))
    if args.pairs in (BOTH_PAIRS, PEER):
        contenders.append(_start_ours(OURS, n, args, stack, logs))
        contenders.append(_start_fastapi(n, args, stack, logs))
    # Both shapes of ours publish to one exchange: one recorder tells their runs apart by token.
    # Ours runs its whole flow: the event measured is the one a sign-up stores, its confirmation
    # request (RegisteredEntryEvent waits for the person's click); the peers store and publish.
    recorders = {
        OUR_EXCHANGE: EventRecorder(args.amqp_uri, OUR_EXCHANGE, routing_key=SIGN_UP_EVENT),
        DISPATCH_ONLY_EXCHANGE: EventRecorder(args.amqp_uri, DISPATCH_ONLY_EXCHANGE),
        FASTAPI_EXCHANGE: EventRecorder(args.amqp_uri, FASTAPI_EXCHANGE),
    }
    for service in contenders:
        recorder = recorders[EXCHANGES[service.name]]
        if recorder not in bench.recorders.values():
            stack.enter_context(recorder)
        bench.recorders[service.name] = recorder
    bench.ours = next((s for s in contenders if s.name == OURS), None)

    for service in contenders:
        _progress(f"warming up {service.name} for {WARM_UP_S} s")
        bench.drive(service, args.connections, WARM_UP_S)

    runs: list[RunResult] = []
    for number in range(1, args.rounds + 1):
        for service in contenders:
            runs.append(bench.run(service, ROUND, number, args.connections, args.duration))
    memory = None
    if bench.ours is not None:
        runs.append(bench.run(bench.ours, C50, 1, HIGH_CONCURRENCY, args.duration))
        if not args.skip_memory:
            memory_run, memory = bench.memory_growth(args.memory_requests, args.connections)
            runs.append(memory_run)

    summary = summarize(runs, bench.lags_ms(runs), memory)
    setup = {
        "load_generator": bench.load.name,
        "rounds": args.rounds,
        "duration_s": args.duration,
        "connections": args.connections,
        "high_concurrency": HIGH_CONCURRENCY,
        "memory_requests": None if memory is None else args.memory_requests,
        "services": [service.name for service in contenders],
        "web_concurrency": n,
    }
    return write_reports(
        args.out,
        machine=machine,
        setup=setup,
        runs=runs,
        summary=summary,
        targets=evaluate_targets(summary),
    )


EXCHANGES = {
    OURS_SINGLE: OUR_EXCHANGE,
    OURS: OUR_EXCHANGE,
    DISPATCH_ONLY: DISPATCH_ONLY_EXCHANGE,
    FASTAPI: FASTAPI_EXCHANGE,
}


def _start_ours(
    name: str, processes: int, args: argparse.Namespace, stack: ExitStack, logs: Path
) -> RunningService:
    database_url = stack.enter_context(temporary_database(args.postgres_admin_url))
    port = free_port()
    _progress(f"starting {name} ({processes} process(es)) on port {port}")
    return stack.enter_context(
        running_service(
            name,
            our_service_command(),
            our_service_env(database_url, args.amqp_uri, port, processes),
            port,
            logs / f"ours-{processes}.log",
            http_ready(OUR_READINESS_PATH),
            OUR_START_TIMEOUT_S,
            cwd=REPO_ROOT,
        )
    )


def _start_dispatch_only(args: argparse.Namespace, stack: ExitStack, logs: Path) -> RunningService:
    config = logs / "dispatch_only.yml"
    config.write_text(DISPATCH_ONLY_CONFIG)
    stack.enter_context(exchange_removed_afterwards(args.amqp_uri, DISPATCH_ONLY_EXCHANGE))
    port = free_port()
    _progress(f"starting {DISPATCH_ONLY} on port {port}")
    return stack.enter_context(
        running_service(
            DISPATCH_ONLY,
            dispatch_only_command(config.resolve()),
            dispatch_only_env(args.amqp_uri, port),
            port,
            logs / "dispatch_only.log",
            tcp_ready,
            cwd=REPO_ROOT,
        )
    )


def _start_fastapi(
    workers: int, args: argparse.Namespace, stack: ExitStack, logs: Path
) -> RunningService:
    database_url = stack.enter_context(temporary_database(args.postgres_admin_url))
    create_fastapi_schema(database_url)
    stack.enter_context(exchange_removed_afterwards(args.amqp_uri, FASTAPI_EXCHANGE))
    port = free_port()
    _progress(f"starting {FASTAPI} ({workers} workers) on port {port}")
    return stack.enter_context(
        running_service(
            FASTAPI,
            fastapi_command(port, workers),
            fastapi_env(database_url, args.amqp_uri),
            port,
            logs / "fastapi.log",
            http_ready(FASTAPI_READINESS_PATH),
            cwd=REPO_ROOT,
        )
    )


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM cleans up like Ctrl-C does
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        markdown = measure(args)
    except KeyboardInterrupt:
        _progress("interrupted: everything the benchmark started has been stopped and removed")
        return 130
    except Exception:
        traceback.print_exc()
        _progress("the benchmark broke: everything it started has been stopped and removed")
        return 1
    print(markdown)
    name = "lived-in" if args.lived_in else "latest"
    _progress(f"wrote {args.out}/{name}.json, {name}.md and {name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
