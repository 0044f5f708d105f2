"""The issue's targets, judged against one run's summary."""

from dataclasses import dataclass

from bench.summary import CONTENDERS, DISPATCH_ONLY, FASTAPI, OURS, OURS_SINGLE, Summary

MIN_SPEEDUP = 1.5
MAX_P99_MS = 12.0
MAX_DRAIN_S = 5.0
MAX_LAG_P99_MS = 100.0
MAX_RSS_GROWTH_MB = 20.0
MAX_CPU_RATIO = 0.6  # the server side's CPU per registration, ours xN against FastAPI xN
PASS, FAIL, NOT_MEASURED = "PASS", "FAIL", "NOT MEASURED"


@dataclass(frozen=True)
class Target:
    goal: str
    verdict: str  # PASS, FAIL or NOT_MEASURED
    measured: str

    def line(self) -> str:
        return f"{self.verdict}: {self.goal} (measured: {self.measured})"


def _judge(goal: str, passed: bool | None, measured: str) -> Target:
    verdict = NOT_MEASURED if passed is None else PASS if passed else FAIL
    return Target(goal, verdict, measured)


def evaluate_targets(summary: Summary) -> list[Target]:
    return [
        _speedup(
            f"ours >= {MIN_SPEEDUP}x dispatch-only req/s, 1 process each",
            summary.single_process_ratio,
        ),
        _speedup(
            f"ours >= {MIN_SPEEDUP}x FastAPI req/s, one process per core each",
            summary.peer_ratio,
        ),
        _p99(summary),
        _p99_against_dispatch_only(summary),
        _cpu(summary),
        _no_errors(summary),
        _drain(summary),
        _lag(summary),
        _concurrency(summary),
        _memory(summary),
    ]


def _speedup(goal: str, ratio: float | None) -> Target:
    if ratio is None:
        return _judge(goal, None, "no ratio: one of the pair was not run")
    return _judge(goal, ratio >= MIN_SPEEDUP, f"{ratio:.2f}x")


def _p99(summary: Summary) -> Target:
    goal = f"our p99 <= {MAX_P99_MS:g} ms at -c10, one process per core"
    p99 = summary.ours.p99_ms
    if p99 is None:
        return _judge(goal, None, "our service was not run")
    return _judge(goal, p99 <= MAX_P99_MS, f"{p99:.1f} ms")


def _p99_against_dispatch_only(summary: Summary) -> Target:
    goal = "our p99 <= the dispatch-only example's at -c10, 1 process each"
    ours, theirs = summary.of(OURS_SINGLE).p99_ms, summary.of(DISPATCH_ONLY).p99_ms
    if ours is None or theirs is None:
        return _judge(goal, None, "one of the pair was not run")
    return _judge(goal, ours <= theirs, f"{ours:.1f} vs {theirs:.1f} ms")


def _cpu(summary: Summary) -> Target:
    goal = (
        f"server-side CPU per registration (ours, PostgreSQL, RabbitMQ) <= {MAX_CPU_RATIO:g}x"
        " FastAPI's, one process per core each"
    )
    ratio = summary.peer_cpu_ratio
    if ratio is None:
        return _judge(goal, None, "no ratio: one of the pair was not run or not measured")
    ours, theirs = summary.of(OURS).cpu_ms_per_request, summary.of(FASTAPI).cpu_ms_per_request
    return _judge(goal, ratio <= MAX_CPU_RATIO, f"{ratio:.2f}x, {ours:.2f} vs {theirs:.2f} ms")


def _no_errors(summary: Summary) -> Target:
    goal = "zero non-2xx responses"
    services = [summary.of(name) for name in CONTENDERS if summary.of(name).rounds]
    if not services:
        return _judge(goal, None, "no runs")
    non_2xx = sum(f.non_2xx for f in services)
    return _judge(goal, non_2xx == 0, f"{non_2xx} non-2xx")


def _drain(summary: Summary) -> Target:
    goal = f"every event on the broker within {MAX_DRAIN_S:g} s of load end"
    if not summary.event_runs:
        return _judge(goal, None, "our service was not run")
    if summary.drain_max_s is None:
        return _judge(goal, False, f"{summary.missing_events} events never arrived")
    passed = summary.drain_max_s <= MAX_DRAIN_S and summary.missing_events == 0
    return _judge(
        goal, passed, f"slowest run {summary.drain_max_s:.2f} s, {summary.missing_events} missing"
    )


def _lag(summary: Summary) -> Target:
    goal = f"event lag p99 <= {MAX_LAG_P99_MS:g} ms"
    if summary.lag_p99_ms is None:
        return _judge(goal, None, "no events")
    return _judge(goal, summary.lag_p99_ms <= MAX_LAG_P99_MS, f"{summary.lag_p99_ms:.1f} ms")


def _concurrency(summary: Summary) -> Target:
    goal = "our req/s at -c50 >= at -c10"
    c10, c50 = summary.c10_requests_per_s, summary.c50_requests_per_s
    if c10 is None or c50 is None:
        return _judge(goal, None, "no -c50 run")
    return _judge(goal, c50 >= c10, f"{c50:,.0f} vs {c10:,.0f} req/s")


def _memory(summary: Summary) -> Target:
    goal = f"RSS growth < {MAX_RSS_GROWTH_MB:g} MB over 100,000 registrations"
    if summary.memory is None:
        return _judge(goal, None, "skipped")
    growth = summary.memory.growth_mb
    measured = f"{growth:+.1f} MB over {summary.memory.registrations:,} registrations"
    return _judge(goal, growth < MAX_RSS_GROWTH_MB, measured)
