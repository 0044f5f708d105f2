"""The lived-in benchmark's figures: each contender's window of load on an empty and on a lived-in
database, what happened during the first prune, and the issue's targets judged on them."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.load import LoadResult
from bench.probes import Interval
from bench.stats import median, percentile
from bench.targets import FAIL, NOT_MEASURED, PASS, Target

EMPTY, LIVED_IN = "empty", "lived-in"
MIN_RATE_RATIO = 0.9
MAX_PRUNE_LAG_P99_MS = 250.0
MAX_PRUNE_LAG_MAX_MS = 1000.0
MAX_PROBE_MS = 50.0  # GET /health/ready and GET /metrics
MAX_OPERATION_P99_MS = 20.0  # a lookup by address, an erasure


@dataclass(frozen=True)
class TimedEvent:
    created_at: float  # epoch seconds: the event's own timestamp
    received_at: float
    lag_ms: float


@dataclass
class Window:
    """One contender started cold on one database, then loaded round after round."""

    contender: str  # "ours x1" or "ours xN"
    database: str  # EMPTY or LIVED_IN
    processes: int
    started_at: float  # when the service's process was started
    rounds: list[LoadResult] = field(default_factory=list)
    events: list[TimedEvent] = field(default_factory=list)
    missing_events: int = 0
    duplicate_events: int = 0
    prunes: list[Interval] = field(default_factory=list)  # rounds of the outbox prune
    sweeps: list[Interval] = field(default_factory=list)  # rounds of the expiry sweep
    probe_ms: dict[str, list[float | None]] = field(default_factory=dict)  # ready, metrics
    operations_ms: dict[str, list[float]] = field(default_factory=dict)  # lookup, erasure
    rows_deleted: dict[str, int] = field(default_factory=dict)  # by table, while it ran

    @property
    def label(self) -> str:
        return f"{self.contender} {self.database}"

    @property
    def requests_per_s(self) -> float | None:
        return median([load.requests_per_s for load in self.rounds])

    def latency_ms(self, which: str) -> float | None:
        values = [getattr(load, f"{which}_ms") for load in self.rounds]
        return median([value for value in values if value is not None])

    @property
    def non_2xx(self) -> int:
        return sum(load.non_2xx for load in self.rounds)

    @property
    def lags_ms(self) -> list[float]:
        return [event.lag_ms for event in self.events]

    @property
    def first_prune(self) -> Interval | None:
        return self.prunes[0] if self.prunes else None

    def lags_during(self, interval: Interval) -> list[float]:
        """Events created or received while the interval lasted."""
        return [
            event.lag_ms
            for event in self.events
            if interval.holds(event.created_at) or interval.holds(event.received_at)
        ]

    def prune_lags_ms(self) -> list[float] | None:
        interval = self.first_prune
        return None if interval is None else self.lags_during(interval)

    def probe_p99_ms(self, name: str) -> float | None:
        answered = [ms for ms in self.probe_ms.get(name, []) if ms is not None]
        return percentile(answered, 99)

    def probe_max_ms(self, name: str) -> float | None:
        answered = [ms for ms in self.probe_ms.get(name, []) if ms is not None]
        return max(answered) if answered else None

    def probe_failures(self, name: str) -> int:
        return sum(1 for ms in self.probe_ms.get(name, []) if ms is None)

    def operation_p99_ms(self, name: str) -> float | None:
        return percentile(self.operations_ms.get(name, []), 99)

    def lag_series(self, bin_s: float = 1.0) -> list[tuple[float, float, float]]:
        """(seconds since the start, p99, max) of the lag of the events created in each bin."""
        bins: dict[int, list[float]] = {}
        for event in self.events:
            bins.setdefault(int((event.created_at - self.started_at) // bin_s), []).append(
                event.lag_ms
            )
        series = []
        for number in sorted(bins):
            lags = bins[number]
            series.append((number * bin_s, percentile(lags, 99) or 0.0, max(lags)))
        return series

    def to_dict(self) -> dict[str, object]:
        prune_lags = self.prune_lags_ms()
        return {
            "contender": self.contender,
            "database": self.database,
            "processes": self.processes,
            "started_at": self.started_at,
            "requests_per_s": self.requests_per_s,
            "p50_ms": self.latency_ms("p50"),
            "p95_ms": self.latency_ms("p95"),
            "p99_ms": self.latency_ms("p99"),
            "non_2xx": self.non_2xx,
            "rounds": [load.to_dict() for load in self.rounds],
            "events": len(self.events),
            "missing_events": self.missing_events,
            "duplicate_events": self.duplicate_events,
            "lag_p50_ms": percentile(self.lags_ms, 50),
            "lag_p99_ms": percentile(self.lags_ms, 99),
            "lag_max_ms": max(self.lags_ms, default=None),
            "prunes": [vars(interval) for interval in self.prunes],
            "sweeps": [vars(interval) for interval in self.sweeps],
            "first_prune_events": None if prune_lags is None else len(prune_lags),
            "first_prune_lag_p99_ms": None if prune_lags is None else percentile(prune_lags, 99),
            "first_prune_lag_max_ms": None if not prune_lags else max(prune_lags),
            "probes": {
                name: {
                    "samples": len(values),
                    "failures": self.probe_failures(name),
                    "p99_ms": self.probe_p99_ms(name),
                    "max_ms": self.probe_max_ms(name),
                }
                for name, values in self.probe_ms.items()
            },
            "operations": {
                name: {"calls": len(values), "p99_ms": percentile(values, 99)}
                for name, values in self.operations_ms.items()
            },
            "rows_deleted": self.rows_deleted,
            "lag_series": self.lag_series(),
        }


def pair(windows: Sequence[Window], contender: str) -> tuple[Window | None, Window | None]:
    """The contender's empty and lived-in windows."""
    found = {w.database: w for w in windows if w.contender == contender}
    return found.get(EMPTY), found.get(LIVED_IN)


def rate_ratio(windows: Sequence[Window], contender: str) -> float | None:
    empty, lived_in = pair(windows, contender)
    if empty is None or lived_in is None:
        return None
    mine, base = lived_in.requests_per_s, empty.requests_per_s
    return None if mine is None or not base else mine / base


def _judge(goal: str, passed: bool | None, measured: str) -> Target:
    return Target(goal, NOT_MEASURED if passed is None else PASS if passed else FAIL, measured)


def evaluate_lived_in_targets(windows: Sequence[Window], contenders: Sequence[str]) -> list[Target]:
    targets = []
    for contender in contenders:
        _, lived_in = pair(windows, contender)
        ratio = rate_ratio(windows, contender)
        goal = f"{contender}: lived-in req/s >= {MIN_RATE_RATIO}x the empty database's"
        targets.append(
            _judge(goal, None if ratio is None else ratio >= MIN_RATE_RATIO, _ratio(ratio))
        )
        if lived_in is None:
            continue
        targets.extend(_prune_targets(contender, lived_in))
        for name, path in (("ready", "GET /health/ready"), ("metrics", "GET /metrics")):
            p99, worst = lived_in.probe_p99_ms(name), lived_in.probe_max_ms(name)
            failures = lived_in.probe_failures(name)
            goal = f"{contender} lived-in: {path} p99 < {MAX_PROBE_MS:g} ms under load"
            measured = (
                "no answer"
                if p99 is None
                else f"p99 {p99:.1f} ms, max {worst:.1f} ms, {failures} failed"
            )
            targets.append(
                _judge(goal, None if p99 is None else p99 < MAX_PROBE_MS and not failures, measured)
            )
        for name, what in (("lookup", "a lookup by address"), ("erasure", "an erasure")):
            p99 = lived_in.operation_p99_ms(name)
            calls = len(lived_in.operations_ms.get(name, []))
            goal = f"{contender} lived-in: {what} p99 < {MAX_OPERATION_P99_MS:g} ms under load"
            measured = "not run" if p99 is None else f"p99 {p99:.1f} ms over {calls} calls"
            targets.append(
                _judge(goal, None if p99 is None else p99 < MAX_OPERATION_P99_MS, measured)
            )
    return targets


def _prune_targets(contender: str, lived_in: Window) -> list[Target]:
    lags = lived_in.prune_lags_ms()
    p99_goal = (
        f"{contender} lived-in: event lag p99 <= {MAX_PRUNE_LAG_P99_MS:g} ms during the first prune"
    )
    max_goal = (
        f"{contender} lived-in: event lag max <= {MAX_PRUNE_LAG_MAX_MS:g} ms during the first prune"
    )
    if not lags:
        why = "no prune within the load" if lags is None else "no event during the prune"
        return [_judge(p99_goal, None, why), _judge(max_goal, None, why)]
    p99, worst = percentile(lags, 99) or 0.0, max(lags)
    events = f"over {len(lags):,} events"
    return [
        _judge(p99_goal, p99 <= MAX_PRUNE_LAG_P99_MS, f"{p99:.1f} ms {events}"),
        _judge(max_goal, worst <= MAX_PRUNE_LAG_MAX_MS, f"{worst:.1f} ms {events}"),
    ]


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"
