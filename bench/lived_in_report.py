"""The lived-in benchmark's report: lived-in.json, lived-in.md (also printed) and lived-in.png."""

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench.lived_in import BuildReport
from bench.lived_in_summary import Window, rate_ratio
from bench.stats import median, percentile
from bench.targets import Target

DASH = "-"
GROWTH_COSTS = (
    ("insert", "an insert (a registration: entry and outbox row)"),
    ("claim", "a claim of the relay's batch"),
    ("prune_batch", "a prune batch (5,000 rows)"),
    ("erasure", "an erasure"),
    ("lookup", "a lookup by address"),
    ("replay_hour", "a replay of one hour (dry run)"),
)


def write_lived_in_reports(
    out_dir: Path,
    *,
    machine: Mapping[str, object],
    setup: Mapping[str, object],
    build: BuildReport,
    windows: Sequence[Window],
    growth: Mapping[str, Mapping[str, object]],
    targets: Sequence[Target],
) -> str:
    out_dir.mkdir(parents=True, exist_ok=True)
    document = {
        "machine": dict(machine),
        "setup": dict(setup),
        "build": build.to_dict(),
        "windows": [window.to_dict() for window in windows],
        "growth": dict(growth),
        "targets": [vars(target) for target in targets],
    }
    (out_dir / "lived-in.json").write_text(json.dumps(document, indent=2) + "\n")
    markdown = render_markdown(machine, setup, build, windows, growth, targets)
    (out_dir / "lived-in.md").write_text(markdown)
    plot(out_dir / "lived-in.png", windows)
    return markdown


def render_markdown(
    machine: Mapping[str, object],
    setup: Mapping[str, object],
    build: BuildReport,
    windows: Sequence[Window],
    growth: Mapping[str, Mapping[str, object]],
    targets: Sequence[Target],
) -> str:
    shape = build.shape
    lines = [
        "# Registration service on an empty and on a lived-in database",
        "",
        (
            f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['ram_gb']} GB RAM, "
            f"Linux {machine['kernel']}, Python {machine['python']}, {machine['date']}, "
            f"load average {machine.get('load_average_1m', DASH)} before the run"
        ),
        "",
        (
            f"Lived-in database: {shape.entries:,} entries ({shape.confirmed_entries:,} "
            f"confirmed, {shape.pending_entries:,} pending, {shape.overdue_entries:,} of them "
            f"past their TTL) and {shape.outbox_rows:,} published outbox rows "
            f"({shape.outbox_past_retention:,} past the {shape.retention_hours:g} h retention); "
            f"built in {build.total_s:.0f} s ("
            + ", ".join(f"{phase} {seconds:.0f} s" for phase, seconds in build.seconds.items())
            + "); "
            + ", ".join(f"{table} {size / 1024:.1f} GB" for table, size in build.sizes_mb.items())
            + " with indexes."
        ),
        "",
        (
            f"Load: {setup['load_generator']} at -c{setup['connections']}, rounds of "
            f"{setup['round_s']} s back to back from the service's cold start for "
            f"{setup['window_s']:g} s (its first prune starts 60 s after it); each service on a"
            " database of its own (a fresh copy of the lived-in one). Figures are medians of the"
            " rounds; the event lag is that of each sign-up's ConfirmationRequested, from its"
            " timestamp to its arrival at the bench's consumer."
        ),
        "",
        "| | " + " | ".join(window.label for window in windows) + " |",
        "|---|" + "---:|" * len(windows),
        _row("processes", windows, lambda w: str(w.processes)),
        _row("rounds", windows, lambda w: str(len(w.rounds))),
        _row("req/s (median of rounds)", windows, lambda w: _rate(w.requests_per_s)),
        _row(
            "latency p50 / p95 / p99 (ms)",
            windows,
            lambda w: " / ".join(_ms(w.latency_ms(which)) for which in ("p50", "p95", "p99")),
        ),
        _row("non-2xx", windows, lambda w: str(w.non_2xx)),
        _row(
            "event lag p50 / p99 / max (ms)",
            windows,
            lambda w: (
                f"{_ms(percentile(w.lags_ms, 50))} / {_ms(percentile(w.lags_ms, 99))} / "
                f"{_ms(max(w.lags_ms, default=None))}"
            ),
        ),
        _row(
            "events missing / duplicate",
            windows,
            lambda w: f"{w.missing_events} / {w.duplicate_events}",
        ),
        _row("first prune: start after / length (s)", windows, _prune_timing),
        _row("event lag during the first prune p99 / max (ms)", windows, _prune_lag),
        _row("prune rounds / sweep rounds in the window", windows, _rounds),
        _row(
            "outbox / entries rows deleted",
            windows,
            lambda w: f"{w.rows_deleted.get('outbox', 0):,} / {w.rows_deleted.get('entries', 0):,}",
        ),
        _row("GET /health/ready p99 / max (ms)", windows, lambda w: _probe(w, "ready")),
        _row("GET /metrics p99 / max (ms)", windows, lambda w: _probe(w, "metrics")),
        _row(
            "lookup by address / erasure p99 (ms)",
            windows,
            lambda w: (
                f"{_ms(w.operation_p99_ms('lookup'))} / {_ms(w.operation_p99_ms('erasure'))}"
                if w.operations_ms
                else DASH
            ),
        ),
        _row(
            "req/s lived-in / empty",
            windows,
            lambda w: _ratio(rate_ratio(windows, w.contender)) if w.database == "lived-in" else "",
        ),
        "",
        "## Targets",
        "",
        *(f"- {target.line()}" for target in targets),
        "",
    ]
    if growth:
        lines += render_growth(growth)
    return "\n".join(lines)


def render_growth(growth: Mapping[str, Mapping[str, object]]) -> list[str]:
    sizes = list(growth)
    header = " | ".join(
        f"{name} ({_count(growth[name]['entries'])} + {_count(growth[name]['outbox_rows'])})"
        for name in sizes
    )
    lines = [
        "## How each cost grows",
        "",
        "Wall-clock median / p99 (ms) of the service's own use cases and stores, called one at a"
        " time with no other load (sizes: entries + outbox rows); in brackets the rows the call"
        " handled.",
        "",
        f"| cost | {header} |",
        "|---|" + "---:|" * len(sizes),
    ]
    for key, what in GROWTH_COSTS:
        cells = []
        for name in sizes:
            costs = growth[name]["costs"]
            assert isinstance(costs, Mapping)
            cost = costs.get(key)
            if not cost or not cost["ms"]:
                cells.append(DASH)
                continue
            values = cost["ms"]
            cells.append(
                f"{_ms(median(values))} / {_ms(percentile(values, 99))} ({cost['rows']:,})"
            )
        lines.append(f"| {what} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def _row(name: str, windows: Sequence[Window], cell) -> str:  # type: ignore[no-untyped-def]
    return f"| {name} | " + " | ".join(cell(window) for window in windows) + " |"


def _prune_timing(window: Window) -> str:
    interval = window.first_prune
    if interval is None:
        return "none"
    return f"{interval.start - window.started_at:.0f} / {interval.seconds:.1f}"


def _prune_lag(window: Window) -> str:
    lags = window.prune_lags_ms()
    if not lags:
        return DASH
    return f"{_ms(percentile(lags, 99))} / {_ms(max(lags))}"


def _rounds(window: Window) -> str:
    return f"{len(window.prunes)} / {len(window.sweeps)}"


def _probe(window: Window, name: str) -> str:
    failures = window.probe_failures(name)
    text = f"{_ms(window.probe_p99_ms(name))} / {_ms(window.probe_max_ms(name))}"
    return text + (f" ({failures} failed)" if failures else "")


def _count(value: object) -> str:
    number = int(value)  # type: ignore[call-overload]
    if number >= 1_000_000:
        return f"{number / 1_000_000:g} M"
    return f"{number:,}"


def _rate(value: float | None) -> str:
    return DASH if value is None else f"{value:,.0f}"


def _ms(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}"


def _ratio(value: float | None) -> str:
    return DASH if value is None else f"{value:.2f}x"


def plot(path: Path, windows: Sequence[Window]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(
        len(windows), 1, figsize=(12, 2.4 * len(windows)), sharex=True, squeeze=False
    )
    for axis, window in zip(axes[:, 0], windows, strict=True):
        series = window.lag_series()
        seconds = [point[0] for point in series]
        axis.plot(seconds, [point[2] for point in series], lw=0.8, label="max per second")
        axis.plot(seconds, [point[1] for point in series], lw=1.2, label="p99 per second")
        for number, interval in enumerate(window.prunes):
            axis.axvspan(
                interval.start - window.started_at,
                interval.end - window.started_at,
                color="tab:red",
                alpha=0.15,
                label="outbox prune" if number == 0 else None,
            )
        for number, interval in enumerate(window.sweeps):
            axis.axvspan(
                interval.start - window.started_at,
                interval.end - window.started_at,
                color="tab:green",
                alpha=0.12,
                label="expiry sweep" if number == 0 else None,
            )
        axis.axhline(250, color="grey", lw=0.6, ls="--")
        axis.set_yscale("log")
        axis.set_ylabel("lag (ms)")
        axis.set_title(f"{window.label}: event lag over time", fontsize=9)
        axis.legend(loc="upper left", fontsize=7, ncol=4)
    axes[-1, 0].set_xlabel("seconds since the service was started")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
