"""The benchmark's report: latest.json, latest.md (also printed) and latest.png."""

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench.summary import DISPATCH_ONLY, OURS, ROUND, RunResult, ServiceFigures, Summary
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


def render_markdown(
    machine: Mapping[str, object],
    setup: Mapping[str, object],
    runs: Sequence[RunResult],
    summary: Summary,
    targets: Sequence[Target],
) -> str:
    ours, theirs = summary.ours, summary.dispatch_only
    lines = [
        "# Registration service vs nameko dispatch-only example",
        "",
        (
            f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['ram_gb']} GB RAM, "
            f"Linux {machine['kernel']}, Python {machine['python']}, {machine['date']}, "
            f"load average {machine.get('load_average_1m', DASH)} before the run"
        ),
        "",
        (
            f"Load: {setup['load_generator']}, {setup['rounds']} rounds of {setup['duration_s']} s "
            f"at -c{setup['connections']}, alternating ours / dispatch-only; "
            f"ours with WEB_CONCURRENCY={setup['web_concurrency']}. Only ratios within one run "
            "compare: absolute figures move with the minute."
        ),
        "",
        "| | ours | dispatch-only |",
        "|---|---:|---:|",
        f"| req/s (median of rounds) | {_rate(ours.requests_per_s)} | "
        f"{_rate(theirs.requests_per_s)} |",
        f"| latency p50 / p95 / p99 (ms) | {_latencies(ours)} | {_latencies(theirs)} |",
        f"| non-2xx (all runs) | {_count(ours)} | {_count(theirs)} |",
        f"| socket errors (all runs) | {ours.socket_errors if ours.rounds else DASH} | "
        f"{theirs.socket_errors if theirs.rounds else DASH} |",
        f"| ratio ours / dispatch-only | {_ratio(summary.ratio)} | |",
        f"| event lag p50 / p99 (ms) | {_ms(summary.lag_p50_ms)} / {_ms(summary.lag_p99_ms)} | |",
        f"| drain time after load (slowest run) | {_drain(summary)} | |",
        f"| missing / duplicate events | {_events(summary)} | |",
        f"| req/s at -c50 vs -c10 | {_rate(summary.c50_requests_per_s)} vs "
        f"{_rate(summary.c10_requests_per_s)} | |",
        f"| RSS growth | {_memory(summary)} | |",
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

    figure, (throughput, latency) = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.38
    for offset, service in ((-width / 2, OURS), (width / 2, DISPATCH_ONLY)):
        rounds = [run for run in runs if run.service == service and run.kind == ROUND]
        bars = throughput.bar(
            [run.number + offset for run in rounds],
            [run.load.requests_per_s for run in rounds],
            width,
            label=service,
        )
        throughput.bar_label(bars, fmt="%.0f", fontsize=8)
    throughput.set(title="Throughput per round (-c10)", xlabel="round", ylabel="req/s")
    throughput.set_xticks(sorted({run.number for run in runs if run.kind == ROUND}))
    throughput.margins(y=0.2)  # room above the bars for the legend
    throughput.legend(loc="upper left", ncol=2)

    names = ("p50", "p95", "p99")
    for offset, (service, figures) in (
        (-width / 2, (OURS, summary.ours)),
        (width / 2, (DISPATCH_ONLY, summary.dispatch_only)),
    ):
        values = [figures.p50_ms, figures.p95_ms, figures.p99_ms]
        bars = latency.bar(
            [i + offset for i in range(len(names))],
            [value or 0.0 for value in values],
            width,
            label=service,
        )
        latency.bar_label(bars, fmt="%.1f", fontsize=8)
    latency.set(title="Latency, median of rounds (-c10)", ylabel="ms")
    latency.set_xticks(range(len(names)), names)
    latency.margins(y=0.2)
    latency.legend(loc="upper left", ncol=2)

    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
