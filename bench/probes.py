"""What the lived-in benchmark watches while its load runs: the latency of the operators' answers
(`GET /health/ready`, `GET /metrics`), and when the fleet's chores (the outbox prune, the expiry
sweep) run, read from the advisory locks they hold while they work."""

import argparse
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg2

_REPO_ROOT = Path(__file__).resolve().parent.parent

# The fleet locks' names (registration/entrypoints/pruning.py and expiry.py) as fleet_lock keys them.
CHORES = ("outbox-prune", "expiry-sweep")


def chore_key(name: str) -> int:
    return zlib.crc32(f"registration.{name}".encode())


@dataclass(frozen=True)
class Sample:
    at: float  # epoch seconds when the request was sent
    ms: float | None  # None: no 200 answer
    body: str = ""


@dataclass
class LatencySampler:
    """GETs each URL every `interval_s` from a thread of its own, timing each answer."""

    urls: dict[str, str]  # name -> URL
    interval_s: float = 0.25
    timeout_s: float = 5.0
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    _stopping: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self._stopping.is_set():
            for name, url in self.urls.items():
                self.samples.setdefault(name, []).append(self._get(url))
            self._stopping.wait(self.interval_s)

    def _get(self, url: str) -> Sample:
        sent = time.time()
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s) as response:
                body = response.read().decode(errors="replace")
                ok = response.status == 200
        except (OSError, urllib.error.URLError):
            return Sample(sent, None)
        return Sample(sent, (time.perf_counter() - started) * 1000 if ok else None, body)

    def stop(self) -> None:
        self._stopping.set()


@dataclass
class SamplerProcess:
    """A LatencySampler in a process of its own, as a kubelet or Prometheus probes from outside:
    in the benchmark's process it would wait for the GIL behind the event recorder's decoding,
    and time that wait as the service's. It samples until its stdin closes, then prints them."""

    urls: dict[str, str]
    interval_s: float = 0.25
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    _started: threading.Event = field(default_factory=threading.Event)
    _process: subprocess.Popen[str] | None = None

    def run(self) -> None:
        command = [sys.executable, "-m", "bench.probes", f"--interval={self.interval_s}"]
        command += [f"--url={name}={url}" for name, url in self.urls.items()]
        try:
            self._process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=_REPO_ROOT
            )
        finally:  # also when it could not start: stop() is not left waiting
            self._started.set()
        assert self._process.stdout is not None
        output = self._process.stdout.read()
        self._process.wait()
        for name, samples in json.loads(output or "{}").items():
            self.samples[name] = [Sample(**sample) for sample in samples]

    def stop(self) -> None:
        self._started.wait()
        if self._process is None:
            raise RuntimeError("the probe process did not start: " + " ".join(self.urls))
        assert self._process.stdin is not None
        self._process.stdin.close()


def _sample_until_stdin_closes(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probes")
    parser.add_argument("--url", action="append", required=True, help="name=URL")
    parser.add_argument("--interval", type=float, default=0.25)
    args = parser.parse_args(argv)
    sampler = LatencySampler(dict(url.split("=", 1) for url in args.url), args.interval)
    with running(sampler):
        sys.stdin.read()
    json.dump(
        {name: [asdict(sample) for sample in samples] for name, samples in sampler.samples.items()},
        sys.stdout,
    )
    return 0


@dataclass(frozen=True)
class Interval:
    start: float
    end: float

    def holds(self, at: float) -> bool:
        return self.start <= at <= self.end

    @property
    def seconds(self) -> float:
        return self.end - self.start


def intervals(samples: Sequence[tuple[float, bool]], step_s: float) -> list[Interval]:
    """The spans during which consecutive samples were true; a span's edges are widened by half
    a step each way (the chore began or ended between two samples)."""
    spans: list[Interval] = []
    begun: float | None = None
    last = 0.0
    for at, held in samples:
        if held and begun is None:
            begun = at
        if not held and begun is not None:
            spans.append(Interval(begun - step_s / 2, last + step_s / 2))
            begun = None
        last = at
    if begun is not None:
        spans.append(Interval(begun - step_s / 2, last + step_s / 2))
    return spans


@dataclass
class ChoreWatcher:
    """Samples pg_locks every `interval_s`: which of the chores' advisory locks are held in the
    database (only while a replica works at the chore)."""

    database_url: str
    interval_s: float = 0.1
    samples: dict[str, list[tuple[float, bool]]] = field(default_factory=dict)
    _stopping: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        keys = {chore_key(name): name for name in CHORES}
        connection = psycopg2.connect(self.database_url)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                while not self._stopping.is_set():
                    cursor.execute(
                        "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory'"
                        " AND granted AND database = (SELECT oid FROM pg_database"
                        " WHERE datname = current_database())"
                    )
                    held = {row[0] for row in cursor.fetchall()}
                    at = time.time()
                    for key, name in keys.items():
                        self.samples.setdefault(name, []).append((at, key in held))
                    self._stopping.wait(self.interval_s)
        finally:
            connection.close()

    def intervals(self, chore: str) -> list[Interval]:
        return intervals(self.samples.get(chore, []), self.interval_s)

    def stop(self) -> None:
        self._stopping.set()


@contextmanager
def running(*workers: LatencySampler | SamplerProcess | ChoreWatcher) -> Iterator[None]:
    threads = [threading.Thread(target=worker.run, daemon=True) for worker in workers]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        for worker in workers:
            worker.stop()
        for thread in threads:
            thread.join(timeout=10)


def metric_value(body: str, name: str) -> float | None:
    """A sample's value from Prometheus' text format (the one without labels)."""
    for line in body.splitlines():
        if line.startswith(name + " "):
            try:
                return float(line.split()[1])
            except (IndexError, ValueError):
                return None
    return None


if __name__ == "__main__":
    sys.exit(_sample_until_stdin_closes())
