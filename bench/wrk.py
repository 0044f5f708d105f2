"""Load with wrk: the Lua script that registers a new address per request, and its output."""

import json
import math
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from bench.load import EMAIL_DOMAIN, PATH, LoadResult

RESULT_MARKER = "BENCH_RESULT "
THREAD_DONE_MARKER = "BENCH_THREAD_DONE"
# wrk drops a response slower than its timeout from the latency figures: keep them all in
SOCKET_TIMEOUT = "10s"

_SCRIPT = r"""
-- Every request registers a new address: run token, thread prefix, per-thread counter.
local token = "%(token)s"
local budget = %(budget)d
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_number", next_thread)
end

local prefix
local counter = 0
local answered = 0
local headers = {["Content-Type"] = "application/json"}

function init(args)
  prefix = token .. "-t" .. thread_number .. "-"
end

function request()
  counter = counter + 1
  local body = '{"email":"' .. prefix .. counter .. '@%(domain)s"}'
  return wrk.format("POST", "%(path)s", headers, body)
end
%(response)s
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%(marker)s{"requests":%%d,"duration_us":%%d,"errors_connect":%%d,"errors_read":%%d,'
    .. '"errors_write":%%d,"errors_status":%%d,"errors_timeout":%%d,'
    .. '"p50_us":%%.1f,"p95_us":%%.1f,"p99_us":%%.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""

# Only for runs bounded by a request count: defining response() makes wrk read every body.
# A stopped thread does not end wrk (it sleeps out its duration), so the thread says it is
# done and the caller interrupts wrk, which then reports as usual.
_STOP_AFTER_BUDGET = """
function response(status, headers, body)
  answered = answered + 1
  if answered == budget then
    io.write("%(done_marker)s\\n")
    io.flush()
    wrk.thread:stop()
  end
end
"""


def lua_script(token: str, requests_per_thread: int = 0) -> str:
    """The wrk script; with requests_per_thread, each thread stops after that many answers."""
    return _SCRIPT % {
        "token": token,
        "budget": requests_per_thread,
        "domain": EMAIL_DOMAIN,
        "path": PATH,
        "marker": RESULT_MARKER,
        "response": _STOP_AFTER_BUDGET % {"done_marker": THREAD_DONE_MARKER}
        if requests_per_thread
        else "",
    }


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    base_url: str,
    *,
    token: str,
    connections: int,
    threads: int,
    duration_s: float,
    total_requests: int = 0,
) -> LoadResult:
    """One wrk run for duration_s; with total_requests, it stops once they are answered."""
    threads = max(1, min(threads, connections))
    while connections % threads:  # wrk gives each thread connections // threads
        threads -= 1
    per_thread = math.ceil(total_requests / threads) if total_requests else 0
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as scratch:
        script = Path(scratch, "register.lua")
        script.write_text(lua_script(token, per_thread))
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, math.ceil(duration_s))}s",
            f"--timeout={SOCKET_TIMEOUT}",
            "--latency",
            "-s",
            str(script),
            base_url.rstrip("/") + PATH,
        ]
        returncode, output, errors = _run_until_threads_done(command, threads if per_thread else 0)
    if returncode != 0:
        raise RuntimeError(f"wrk failed ({returncode}): {errors.strip()}")
    return parse_wrk_output(output)


def _run_until_threads_done(command: list[str], threads: int) -> tuple[int, str, str]:
    """Runs wrk; once `threads` threads said they are done, interrupts it so that it reports."""
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as wrk:
        try:
            assert wrk.stdout is not None and wrk.stderr is not None
            lines, done = [], 0
            for line in wrk.stdout:
                lines.append(line)
                if line.strip() == THREAD_DONE_MARKER:
                    done += 1
                    if done == threads:
                        wrk.send_signal(signal.SIGINT)
            return wrk.wait(), "".join(lines), wrk.stderr.read()
        finally:
            if wrk.poll() is None:  # interrupted ourselves: do not leave wrk running
                wrk.kill()


def parse_wrk_output(output: str) -> LoadResult:
    """Reads the script's result line; without it, wrk's own summary (which has no p95)."""
    for line in output.splitlines():
        if line.startswith(RESULT_MARKER):
            return _from_result_line(line[len(RESULT_MARKER) :])
    return _from_summary_text(output)


def _from_result_line(text: str) -> LoadResult:
    figures = json.loads(text)
    return LoadResult(
        requests=int(figures["requests"]),
        duration_s=figures["duration_us"] / 1e6,
        non_2xx=int(figures["errors_status"]),
        socket_errors=sum(
            int(figures[f"errors_{kind}"]) for kind in ("connect", "read", "write", "timeout")
        ),
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
    )


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)\b", re.MULTILINE)
_PERCENTILE = re.compile(r"^\s*(\d+(?:\.\d+)?)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_SOCKET_ERRORS = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.MULTILINE
)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)", re.MULTILINE)


def _from_summary_text(output: str) -> LoadResult:
    total = _TOTAL.search(output)
    if total is None:
        raise ValueError(f"no request count in wrk output:\n{output}")
    percentiles = {
        float(match[1]): float(match[2]) * _UNIT_MS[match[3]]
        for match in _PERCENTILE.finditer(output)
    }
    socket_errors = _SOCKET_ERRORS.search(output)
    non_2xx = _NON_2XX.search(output)
    return LoadResult(
        requests=int(total[1]),
        duration_s=float(total[2]) * _UNIT_MS[total[3]] / 1000,
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
        p50_ms=percentiles.get(50.0),
        p95_ms=percentiles.get(95.0),
        p99_ms=percentiles.get(99.0),
    )
