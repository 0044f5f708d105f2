"""The lived-in benchmark's pure parts: the database's proportions, the statements that build it,
the catalogue it takes apart and puts back, and the figures and targets of a run."""

import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from bench.lived_in import (
    Catalogue,
    LivedInShape,
    address_of,
    entry_chunks,
    entry_id_of,
    outbox_chunks,
)
from bench.lived_in_report import write_lived_in_reports
from bench.lived_in_summary import (
    EMPTY,
    LIVED_IN,
    TimedEvent,
    Window,
    evaluate_lived_in_targets,
    rate_ratio,
)
from bench.load import LoadResult
from bench.probes import Interval, SamplerProcess, chore_key, intervals, metric_value, running
from bench.targets import FAIL, NOT_MEASURED, PASS

pytestmark = pytest.mark.unit


def test_the_issue_s_shape_has_its_proportions():
    shape = LivedInShape()

    assert (shape.entries, shape.outbox_rows) == (10_000_000, 10_000_000)
    assert shape.confirmed_entries == 9_500_000
    assert shape.pending_entries == 500_000
    assert 0 < shape.overdue_entries < shape.pending_entries
    assert shape.waiting_entries + shape.overdue_entries == shape.pending_entries
    assert shape.outbox_past_retention == 6_000_000


def test_the_outbox_reaches_back_so_that_the_newest_forty_percent_lie_within_the_retention():
    shape = LivedInShape(retention_hours=168)

    assert shape.outbox_span_s * 0.4 == pytest.approx(168 * 3600)


@pytest.mark.parametrize("fraction", [-0.1, 1.0])
def test_a_fraction_outside_zero_to_one_is_refused(fraction):
    with pytest.raises(ValueError):
        LivedInShape(pending=fraction)


def _series(statement: str) -> tuple[int, int]:
    low, high = re.search(r"generate_series\((\d+), (\d+)\)", statement).groups()
    return int(low), int(high)


def test_the_entry_statements_cover_every_entry_once_in_chunks():
    shape = LivedInShape(entries=2_345, outbox_rows=10)
    chunks = entry_chunks(shape, size=1_000)

    covered = sorted(_series(chunk.statement) for chunk in chunks)
    numbers = [n for low, high in covered for n in range(low, high + 1)]
    assert numbers == list(range(shape.entries))
    assert sum(chunk.rows for chunk in chunks) == shape.entries
    assert all(chunk.rows <= 1_000 for chunk in chunks)


def test_confirmed_entries_have_no_expiry_and_pending_ones_have_one():
    shape = LivedInShape(entries=1_000, outbox_rows=10)
    chunks = entry_chunks(shape, size=10_000)

    confirmed, waiting, overdue = chunks
    assert _series(confirmed.statement) == (0, shape.confirmed_entries - 1)
    assert ", NULL, " in confirmed.statement  # expires_at
    assert "r + make_interval" in waiting.statement and "r + make_interval" in overdue.statement
    assert _series(overdue.statement)[1] == shape.entries - 1


def test_the_outbox_statements_cover_every_row_with_its_sequence_number():
    shape = LivedInShape(entries=100, outbox_rows=2_500)
    chunks = outbox_chunks(shape, size=1_000)

    assert [_series(chunk.statement) for chunk in chunks] == [(0, 999), (1000, 1999), (2000, 2499)]
    assert all("SELECT j + 1," in chunk.statement for chunk in chunks)
    assert all("%(now)s" in chunk.statement for chunk in chunks)


def test_ids_and_addresses_are_derived_from_the_row_number_as_the_sql_derives_them():
    assert entry_id_of(7) == uuid.UUID(__import__("hashlib").md5(b"lived-in:e7").hexdigest())
    assert entry_id_of(7) != entry_id_of(8)
    assert address_of(100) == "person100@mail3.example.org"
    statement = entry_chunks(LivedInShape(entries=10, outbox_rows=0))[0].statement
    assert "md5('lived-in:e' || i)::uuid" in statement
    assert "'person' || i || '@mail' || mod(i, 97) || '.example.org'" in statement


CATALOGUE = Catalogue(
    indexes=(
        ("entries_pkey", "entries", "CREATE UNIQUE INDEX entries_pkey ON public.entries (id)"),
        ("ix_outbox_created_at", "outbox", "CREATE INDEX ix_outbox_created_at ON public.outbox"),
    ),
    constraints=(("entries_pkey", "entries", "p", "PRIMARY KEY (id)"),),
)


def test_the_catalogue_drops_constraints_with_their_index_and_other_indexes_alone():
    assert CATALOGUE.drops() == [
        'ALTER TABLE entries DROP CONSTRAINT "entries_pkey"',
        'DROP INDEX "ix_outbox_created_at"',
    ]


def test_the_catalogue_rebuilds_every_index_then_attaches_the_constraints_to_theirs():
    assert [sql for _, sql in CATALOGUE.index_builds()] == [d for _, _, d in CATALOGUE.indexes]
    assert CATALOGUE.constraint_attachments() == [
        'ALTER TABLE entries ADD CONSTRAINT "entries_pkey" PRIMARY KEY USING INDEX "entries_pkey"'
    ]


def test_consecutive_samples_of_a_held_lock_make_one_interval_each():
    samples = [(0.0, False), (1.0, True), (2.0, True), (3.0, False), (4.0, True)]

    assert intervals(samples, step_s=1.0) == [Interval(0.5, 2.5), Interval(3.5, 4.5)]


def test_the_chores_are_keyed_as_the_fleet_lock_keys_them():
    import zlib

    assert chore_key("outbox-prune") == zlib.crc32(b"registration.outbox-prune")


def test_a_metric_is_read_from_prometheus_text():
    body = "# HELP outbox_pruned_total x\noutbox_pruned_total 5000.0\noutbox_pending 3.0\n"

    assert metric_value(body, "outbox_pruned_total") == 5000.0
    assert metric_value(body, "missing") is None


def load(requests_per_s: float) -> LoadResult:
    return LoadResult(int(requests_per_s * 10), 10.0, 0, 0, 2.0, 5.0, 9.0)


def window(database: str, rates=(1000, 1100, 900), contender="ours x1", **overrides) -> Window:
    w = Window(contender, database, processes=1, started_at=0.0)
    w.rounds = [load(rate) for rate in rates]
    w.events = [TimedEvent(t / 100, t / 100 + 0.02, 20.0) for t in range(10_000)]
    w.probe_ms = {"ready": [5.0] * 10, "metrics": [8.0] * 10}
    if database == LIVED_IN:
        w.prunes = [Interval(60.0, 70.0)]
        w.operations_ms = {"lookup": [2.0] * 50, "erasure": [6.0] * 50}
    for name, value in overrides.items():
        setattr(w, name, value)
    return w


def test_the_ratio_compares_the_medians_of_the_lived_in_and_the_empty_rounds():
    windows = [window(EMPTY), window(LIVED_IN, rates=(950, 900, 800))]

    assert rate_ratio(windows, "ours x1") == pytest.approx(0.9)


def test_a_healthy_lived_in_run_passes_every_target():
    windows = [window(EMPTY), window(LIVED_IN, rates=(990, 1000, 1010))]

    targets = evaluate_lived_in_targets(windows, ["ours x1"])

    assert [t.verdict for t in targets] == [PASS] * 7


def test_a_slow_event_during_the_first_prune_fails_the_maximum_only():
    lived_in = window(LIVED_IN)
    lived_in.events.append(TimedEvent(65.0, 66.5, 1500.0))

    targets = evaluate_lived_in_targets([window(EMPTY), lived_in], ["ours x1"])

    verdicts = {t.goal.split(": ", 1)[1]: t.verdict for t in targets}
    assert verdicts["event lag max <= 1000 ms during the first prune"] == FAIL
    assert verdicts["event lag p99 <= 250 ms during the first prune"] == PASS


def test_without_a_prune_in_the_window_its_targets_are_not_measured():
    targets = evaluate_lived_in_targets([window(EMPTY), window(LIVED_IN, prunes=[])], ["ours x1"])

    assert [t.verdict for t in targets if "prune" in t.goal] == [NOT_MEASURED] * 2


def test_a_failed_readiness_probe_fails_its_target():
    lived_in = window(LIVED_IN, probe_ms={"ready": [5.0, None], "metrics": [8.0]})

    targets = evaluate_lived_in_targets([window(EMPTY), lived_in], ["ours x1"])

    [ready] = [t for t in targets if "/health/ready" in t.goal]
    assert ready.verdict == FAIL


def test_the_lag_series_bins_events_by_second_since_the_start():
    w = window(EMPTY)
    w.events = [
        TimedEvent(0.2, 0.3, 100.0),
        TimedEvent(0.7, 0.8, 100.0),
        TimedEvent(2.5, 2.6, 50.0),
    ]

    assert [(at, worst) for at, _, worst in w.lag_series()] == [(0.0, 100.0), (2.0, 50.0)]


def test_the_report_shows_both_databases_side_by_side_with_the_growth_table(tmp_path):
    from bench.lived_in import BuildReport

    shape = LivedInShape(entries=1_000, outbox_rows=1_000)
    build = BuildReport(shape, {"rows": 10.0, "indexes": 5.0}, {"entries": 1.0, "outbox": 2.0})
    windows = [window(EMPTY), window(LIVED_IN)]
    growth = {
        "empty": {"entries": 0, "outbox_rows": 0, "costs": {"lookup": {"ms": [1.0], "rows": 1}}},
        "lived-in": {
            "entries": 10_000_000,
            "outbox_rows": 10_000_000,
            "costs": {"lookup": {"ms": [2.0], "rows": 1}},
        },
    }
    machine = {"cpu": "x", "cores": 2, "ram_gb": 1, "kernel": "k", "python": "3", "date": "d"}
    setup = {"load_generator": "wrk", "round_s": 8, "window_s": 110, "connections": 10}
    targets = evaluate_lived_in_targets(windows, ["ours x1"])

    markdown = write_lived_in_reports(
        tmp_path,
        machine=machine,
        setup=setup,
        build=build,
        windows=windows,
        growth=growth,
        targets=targets,
    )

    assert "| | ours x1 empty | ours x1 lived-in |" in markdown
    assert "built in 15 s" in markdown
    assert "| a lookup by address | 1.0 / 1.0 (1) | 2.0 / 2.0 (1) |" in markdown
    assert "empty (0 + 0) | lived-in (10 M + 10 M)" in markdown
    document = json.loads((tmp_path / "lived-in.json").read_text())
    assert [w["database"] for w in document["windows"]] == [EMPTY, LIVED_IN]
    assert (tmp_path / "lived-in.png").stat().st_size > 0


class _Metrics(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"outbox_pruned_total 7.0\n"
        self.send_response(200 if self.path == "/metrics" else 503)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_the_probes_sample_from_a_process_of_their_own_until_stopped():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Metrics)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    sampler = SamplerProcess({"metrics": base + "/metrics", "ready": base + "/ready"}, 0.05)
    try:
        with running(sampler):
            time.sleep(1.0)
    finally:
        server.shutdown()
        server.server_close()

    metrics, ready = sampler.samples["metrics"], sampler.samples["ready"]
    assert len(metrics) >= 3 and len(ready) == len(metrics)
    assert all(sample.ms is not None and sample.ms >= 0 for sample in metrics)
    assert metric_value(metrics[0].body, "outbox_pruned_total") == 7.0
    assert all(sample.ms is None for sample in ready)  # not a 200: counted as a failure


def test_a_probe_process_that_cannot_start_fails_the_run_instead_of_hanging_it(monkeypatch):
    def cannot_start(*args: object, **kwargs: object) -> None:
        raise OSError("no such interpreter")

    monkeypatch.setattr("bench.probes.subprocess.Popen", cannot_start)
    monkeypatch.setattr(threading, "excepthook", lambda args: None)  # run()'s own error
    sampler = SamplerProcess({"ready": "http://127.0.0.1:9/ready"}, 0.05)

    with pytest.raises(RuntimeError, match="did not start"), running(sampler):
        pass
