"""The report: one JSON, one Markdown table (also printed) and one chart per run."""

import json

import pytest
from bench.event_stats import EventStats
from bench.load import LoadResult
from bench.report import FASTAPI_GUARANTEE, write_reports
from bench.summary import (
    C50,
    DISPATCH_ONLY,
    FASTAPI,
    OURS,
    OURS_SINGLE,
    ROUND,
    MemoryGrowth,
    RunResult,
    summarize,
)
from bench.targets import evaluate_targets

pytestmark = pytest.mark.unit

MACHINE = {
    "cpu": "AMD EPYC",
    "cores": 2,
    "ram_gb": 23.5,
    "kernel": "6.1.0",
    "python": "3.11.7",
    "date": "2026-11-29T00:00:00+00:00",
}
SETUP = {
    "load_generator": "wrk -t1",
    "rounds": 3,
    "duration_s": 10,
    "connections": 10,
    "web_concurrency": 2,
}


EVENTS = EventStats(
    expected=40_000,
    received=40_000,
    distinct=40_000,
    duplicates=0,
    missing=0,
    malformed=0,
    lag_p50_ms=5.0,
    lag_p99_ms=20.0,
    drain_s=0.1,
)


def load(requests_per_s):
    return LoadResult(int(requests_per_s * 10), 10.0, 0, 0, 2.0, 5.0, 9.0)


RUNS = [
    RunResult(OURS_SINGLE, ROUND, 1, 10, load(3000), "b11", EVENTS),
    RunResult(DISPATCH_ONLY, ROUND, 1, 10, load(1500), "bd1"),
    RunResult(OURS, ROUND, 1, 10, load(4000), "bo1", EVENTS, cpu_s=16.0),
    RunResult(FASTAPI, ROUND, 1, 10, load(2500), "bf1", EVENTS, cpu_s=25.0),
    RunResult(OURS_SINGLE, ROUND, 2, 10, load(3000), "b12", EVENTS),
    RunResult(DISPATCH_ONLY, ROUND, 2, 10, load(1500), "bd2"),
    RunResult(OURS, ROUND, 2, 10, load(4000), "bo2", EVENTS, cpu_s=16.0),
    RunResult(FASTAPI, ROUND, 2, 10, load(2500), "bf2", EVENTS, cpu_s=25.0),
    RunResult(OURS, C50, 1, 50, load(4100), "bc", EVENTS),
]


@pytest.fixture
def written(tmp_path):
    runs = RUNS
    memory = MemoryGrowth(registrations=100_000, before_mb=80.0, after_mb=85.0)
    summary = summarize(runs, lags_ms=[5.0, 20.0], memory=memory)
    markdown = write_reports(
        tmp_path,
        machine=MACHINE,
        setup=SETUP,
        runs=runs,
        summary=summary,
        targets=evaluate_targets(summary),
    )
    return tmp_path, markdown


def test_the_markdown_names_the_machine_and_compares_equal_process_counts(written):
    out, markdown = written

    assert (out / "latest.md").read_text() == markdown
    assert "AMD EPYC, 2 cores, 23.5 GB RAM, Linux 6.1.0, Python 3.11.7" in markdown
    assert "| processes | 1 | 1 | 2 | 2 |" in markdown
    assert "| req/s (median of rounds) | 3,000 | 1,500 | 4,000 | 2,500 |" in markdown
    assert "| ratio within the pair | 2.00x | | 1.60x | |" in markdown


def test_the_fastapi_peers_weaker_guarantee_stands_next_to_its_figures(written):
    _, markdown = written

    assert FASTAPI_GUARANTEE in markdown
    assert "dual write" in FASTAPI_GUARANTEE


def test_every_target_has_a_verdict_line(written):
    _, markdown = written

    verdicts = [line for line in markdown.splitlines() if line.startswith("- PASS: ")]
    assert len(verdicts) == len(evaluate_targets(summarize(RUNS, [5.0], None)))


def test_the_server_sides_cpu_per_registration_is_in_the_table(written):
    _, markdown = written

    # 16 s over 40,000 registrations against 25 s over 25,000
    assert "| server-side CPU per registration (ms) | - | - | 0.40 | 1.00 |" in markdown
    assert "| CPU ratio within the pair | | | 0.40x | |" in markdown


def test_the_json_holds_every_run_and_the_summary(written):
    out, _ = written

    document = json.loads((out / "latest.json").read_text())

    assert len(document["runs"]) == len(RUNS)
    assert document["summary"]["single_process_ratio"] == pytest.approx(2.0)
    assert document["summary"]["peer_ratio"] == pytest.approx(1.6)
    assert document["summary"]["memory"]["growth_mb"] == pytest.approx(5.0)
    assert document["machine"]["cores"] == 2


def test_a_chart_is_drawn(written):
    out, _ = written

    assert (out / "latest.png").read_bytes().startswith(b"\x89PNG")
