"""The benchmark's report: latest.json, latest.md (also printed) and latest.png."""

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from bench.summary import (
    CONTENDERS,
    DISPATCH_ONLY,
    FASTAPI,
    OURS,
    OURS_SINGLE,
    ROUND,
    RunResult,
    ServiceFigures,
    Summary,
)
from bench.targets import Target

DASH = "-"


def write_reports(
    out_dir: Path,
    *,
    machine: Mapping[str, object],
    setup: Mapping[str, object],
    runs: Sequence[RunResult],
    summary: Summary,
    targets: Sequence[Target],
) -> str:
    """Writes the three files and returns the Markdown."""
    out_dir.mkdir(parents=True, exist_ok=True)
    document = {
        "machine": dict(machine),
        "setup": dict(setup),
        "summary": summary.to_dict(),
        "targets": [vars(target) for target in targets],
        "runs": [run.to_dict() for run in runs],
    }
    (out_dir / "latest.json").write_text(json.dumps(document, indent=2) + "\n")
    markdown = render_markdown(machine, setup, runs, summary, targets)
    (out_dir / "latest.md").write_text(markdown)
    plot(out_dir / "latest.png", runs, summary)
    return markdown


FASTAPI_GUARANTEE = (
    "FastAPI's guarantee is weaker: the row and the event are a dual write (commit, then publish"
    " with a confirm), with no outbox. A crash or a broker outage between the two loses the event"
    " of a stored registration, and its client gets a 500; ours stores the event with the entry"
    " and relays it until the broker confirms."
)


def render_markdown(
    machine: Mapping[str, object],
    setup: Mapping[str, object],
    runs: Sequence[RunResult],
    summary: Summary,
    targets: Sequence[Target],
) -> str:
    n = setup["web_concurrency"]
    figures = [summary.of(service) for service in CONTENDERS]
    lines = [
        "# Registration service against the stacks users would pick, at equal process counts",
        "",
        (
            f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['ram_gb']} GB RAM, "
            f"Linux {machine['kernel']}, Python {machine['python']}, {machine['date']}, "
            f"load average {machine.get('load_average_1m', DASH)} before the run"
        ),
        "",
        (
            f"Load: {setup['load_generator']}, {setup['rounds']} rounds of {setup['duration_s']} s "
            f"at -c{setup['connections']}, the contenders alternating within each round; "
            f"N = {n} processes (one per core). Ratios compare equal process counts only: ours x1"
            f" with the dispatch-only example (1 process), ours xN with FastAPI on N uvicorn "
            "workers. Only ratios within one run compare: absolute figures move with the minute."
        ),
        "",
        f"| | {OURS_SINGLE} | {DISPATCH_ONLY} | {OURS} | {FASTAPI} |",
        "|---|---:|---:|---:|---:|",
        "| processes | 1 | 1 | " + f"{n} | {n} |",
        "| req/s (median of rounds) | " + _cells(_rate(f.requests_per_s) for f in figures),
        "| latency p50 / p95 / p99 (ms) | " + _cells(_latencies(f) for f in figures),
        "| non-2xx (all runs) | " + _cells(_count(f) for f in figures),
        "| socket errors (all runs) | "
        + _cells(str(f.socket_errors) if f.rounds else DASH for f in figures),
        f"| ratio within the pair | {_ratio(summary.single_process_ratio)} | | "
        f"{_ratio(summary.peer_ratio)} | |",
        "| server-side CPU per registration (ms) | "
        + _cells(_cpu_ms(f.cpu_ms_per_request) for f in figures),
        f"| CPU ratio within the pair | | | {_ratio(summary.peer_cpu_ratio)} | |",
        "",
        f"Our events (both shapes): lag p50 / p99 {_ms(summary.lag_p50_ms)} / "
        f"{_ms(summary.lag_p99_ms)} ms; drain after load (slowest run) {_drain(summary)}; "
        f"missing / duplicate {_events(summary)}; req/s at -c50 vs -c10 (ours xN) "
        f"{_rate(summary.c50_requests_per_s)} vs {_rate(summary.c10_requests_per_s)}; "
        f"RSS growth (ours xN) {_memory(summary)}.",
        "",
        FASTAPI_GUARANTEE,
        "",
        "## Targets",
        "",
        *(f"- {target.line()}" for target in targets),
        "",
        "## Runs",
        "",
        "| run | service | conns | req/s | p50 / p95 / p99 (ms) | non-2xx | events | lag p99 (ms)"
        " | drain (s) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        *(_run_row(run) for run in runs),
        "",
    ]
    return "\n".join(lines)


def _cells(values: Iterable[str]) -> str:
    return " | ".join(values) + " |"


def _run_row(run: RunResult) -> str:
    load, events = run.load, run.events
    received = f"{events.distinct:,}/{events.expected:,}" if events else DASH
    return (
        f"| {run.label} | {run.service} | {run.connections} | {load.requests_per_s:,.0f} | "
        f"{_ms(load.p50_ms)} / {_ms(load.p95_ms)} / {_ms(load.p99_ms)} | {load.non_2xx} | "
        f"{received} | {_ms(events.lag_p99_ms) if events else DASH} | "
        f"{_seconds(events.drain_s) if events else DASH} |"
    )


def _rate(value: float | None) -> str:
    return DASH if value is None else f"{value:,.0f}"


def _cpu_ms(value: float | None) -> str:
    return DASH if value is None else f"{value:.2f}"


def _ms(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}"


def _seconds(value: float | None) -> str:
    return "timed out" if value is None else f"{value:.2f}"


def _ratio(value: float | None) -> str:
    return DASH if value is None else f"{value:.2f}x"


def _latencies(figures: ServiceFigures) -> str:
    if not figures.rounds:
        return DASH
    return f"{_ms(figures.p50_ms)} / {_ms(figures.p95_ms)} / {_ms(figures.p99_ms)}"


def _count(figures: ServiceFigures) -> str:
    return str(figures.non_2xx) if figures.rounds else DASH


def _drain(summary: Summary) -> str:
    if not summary.event_runs:
        return DASH
    if summary.drain_max_s is None:
        return "timed out (30 s)"
    return f"{summary.drain_max_s:.2f} s"


def _events(summary: Summary) -> str:
    if not summary.event_runs:
        return DASH
    return f"{summary.missing_events} / {summary.duplicate_events}"


def _memory(summary: Summary) -> str:
    memory = summary.memory
    if memory is None:
        return "skipped"
    return (
        f"{memory.growth_mb:+.1f} MB over {memory.registrations:,} registrations "
        f"({memory.before_mb:.1f} -> {memory.after_mb:.1f} MB)"
    )


def plot(path: Path, runs: Sequence[RunResult], summary: Summary) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    figure, (throughput, latency) = plt.subplots(1, 2, figsize=(13, 4.8))
    width = 0.2
    offsets = [(i - (len(CONTENDERS) - 1) / 2) * width for i in range(len(CONTENDERS))]
    for offset, service in zip(offsets, CONTENDERS, strict=True):
        rounds = [run for run in runs if run.service == service and run.kind == ROUND]
        bars = throughput.bar(
            [run.number + offset for run in rounds],
            [run.load.requests_per_s for run in rounds],
            width,
            label=service,
        )
        throughput.bar_label(bars, fmt="%.0f", fontsize=7)
    throughput.set(title="Throughput per round (-c10)", xlabel="round", ylabel="req/s")
    throughput.set_xticks(sorted({run.number for run in runs if run.kind == ROUND}))
    throughput.margins(y=0.25)  # room above the bars for the legend
    throughput.legend(loc="upper left", ncol=2, fontsize=8)

    names = ("p50", "p95", "p99")
    for offset, service in zip(offsets, CONTENDERS, strict=True):
        figures = summary.of(service)
        values = [figures.p50_ms, figures.p95_ms, figures.p99_ms]
        bars = latency.bar(
            [i + offset for i in range(len(names))],
            [value or 0.0 for value in values],
            width,
            label=service,
        )
        latency.bar_label(bars, fmt="%.1f", fontsize=7)
    latency.set(title="Latency, median of rounds (-c10)", ylabel="ms")
    latency.set_xticks(range(len(names)), names)
    latency.margins(y=0.25)
    latency.legend(loc="upper left", ncol=2, fontsize=8)

    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
