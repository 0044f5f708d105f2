"""The runs of one benchmark, and the figures the report and the targets are made of."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from bench.event_stats import EventStats
from bench.load import LoadResult
from bench.stats import median, percentile

# The contenders, compared in pairs of equal process counts.
OURS_SINGLE = "ours x1"  # our service in one process
DISPATCH_ONLY = "dispatch-only"  # nameko's dispatch-only example, one process
OURS = "ours xN"  # our service as deployed: one process per core
FASTAPI = "fastapi xN"  # the FastAPI peer, one uvicorn worker per core
CONTENDERS = (OURS_SINGLE, DISPATCH_ONLY, OURS, FASTAPI)
PAIRS = ((OURS_SINGLE, DISPATCH_ONLY), (OURS, FASTAPI))
ROUND = "round"
C50 = "c50"
MEMORY = "memory"


@dataclass(frozen=True)
class RunResult:
    service: str  # one of CONTENDERS
    kind: str  # ROUND, C50 or MEMORY
    number: int  # the round, 1-based; 1 for the others
    connections: int
    load: LoadResult
    token: str  # marks the run's addresses, and so its events
    events: EventStats | None = None  # what the service's events said about the run
    # CPU seconds of the server side over the run: the contender, PostgreSQL, RabbitMQ (bench/cpu)
    cpu_s: float | None = None

    @property
    def cpu_ms_per_request(self) -> float | None:
        answered = self.load.answered_2xx
        return None if self.cpu_s is None or not answered else self.cpu_s * 1000 / answered

    @property
    def label(self) -> str:
        return f"{self.kind} {self.number}" if self.kind == ROUND else self.kind

    def to_dict(self) -> dict[str, object]:
        return {
            "service": self.service,
            "label": self.label,
            "connections": self.connections,
            "token": self.token,
            "load": self.load.to_dict(),
            "events": self.events.to_dict() if self.events else None,
            "cpu_s": self.cpu_s,
            "cpu_ms_per_request": self.cpu_ms_per_request,
        }


@dataclass(frozen=True)
class MemoryGrowth:
    registrations: int
    before_mb: float
    after_mb: float

    @property
    def growth_mb(self) -> float:
        return self.after_mb - self.before_mb


@dataclass(frozen=True)
class ServiceFigures:
    """Medians over the rounds at the base concurrency; counts over every run of the service."""

    rounds: int
    requests_per_s: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    non_2xx: int
    socket_errors: int
    cpu_ms_per_request: float | None  # the server side's CPU time per 2xx answer


@dataclass(frozen=True)
class Summary:
    figures: dict[str, ServiceFigures]  # by contender
    single_process_ratio: float | None  # ours x1 / dispatch-only, medians of rounds
    peer_ratio: float | None  # ours xN / fastapi xN, medians of rounds
    peer_cpu_ratio: float | None  # CPU per registration, ours xN / fastapi xN, medians of rounds
    # Over our service's events, in both shapes:
    lag_p50_ms: float | None
    lag_p99_ms: float | None
    drain_max_s: float | None  # None when some run's events never all arrived
    event_runs: int  # our runs whose events were accounted
    missing_events: int
    duplicate_events: int
    c10_requests_per_s: float | None
    c50_requests_per_s: float | None
    memory: MemoryGrowth | None

    def to_dict(self) -> dict[str, object]:
        figures = asdict(self)
        if self.memory is not None:
            figures["memory"]["growth_mb"] = self.memory.growth_mb
        return figures

    @property
    def ours(self) -> ServiceFigures:
        return self.figures[OURS]

    def of(self, service: str) -> ServiceFigures:
        return self.figures[service]


def summarize(
    runs: Sequence[RunResult], lags_ms: Sequence[float], memory: MemoryGrowth | None
) -> Summary:
    figures = {service: _figures(runs, service) for service in CONTENDERS}
    accounted = [
        run.events for run in runs if run.service in (OURS, OURS_SINGLE) and run.events is not None
    ]
    drains = [events.drain_s for events in accounted]
    c50 = [run.load.requests_per_s for run in runs if run.service == OURS and run.kind == C50]
    return Summary(
        figures=figures,
        single_process_ratio=_ratio(figures, OURS_SINGLE, DISPATCH_ONLY),
        peer_ratio=_ratio(figures, OURS, FASTAPI),
        peer_cpu_ratio=_ratio(figures, OURS, FASTAPI, "cpu_ms_per_request"),
        lag_p50_ms=percentile(lags_ms, 50),
        lag_p99_ms=percentile(lags_ms, 99),
        drain_max_s=None
        if None in drains or not drains
        else max(d for d in drains if d is not None),
        event_runs=len(accounted),
        missing_events=sum(events.missing for events in accounted),
        duplicate_events=sum(events.duplicates for events in accounted),
        c10_requests_per_s=figures[OURS].requests_per_s,
        c50_requests_per_s=median(c50),
        memory=memory,
    )


def _figures(runs: Sequence[RunResult], service: str) -> ServiceFigures:
    every = [run for run in runs if run.service == service]
    timed = [run for run in every if run.kind == ROUND]
    rounds = [run.load for run in timed]
    cpu = [run.cpu_ms_per_request for run in timed]
    return ServiceFigures(
        rounds=len(rounds),
        requests_per_s=median([load.requests_per_s for load in rounds]),
        p50_ms=median([load.p50_ms for load in rounds if load.p50_ms is not None]),
        p95_ms=median([load.p95_ms for load in rounds if load.p95_ms is not None]),
        p99_ms=median([load.p99_ms for load in rounds if load.p99_ms is not None]),
        non_2xx=sum(run.load.non_2xx for run in every),
        socket_errors=sum(run.load.socket_errors for run in every),
        cpu_ms_per_request=median([ms for ms in cpu if ms is not None]),
    )


def _ratio(
    figures: dict[str, ServiceFigures], ours: str, theirs: str, figure: str = "requests_per_s"
) -> float | None:
    mine, other = getattr(figures[ours], figure), getattr(figures[theirs], figure)
    if mine is None or not other:
        return None
    return mine / other
