"""Service processes in process groups of their own: start, wait until ready, measure, stop."""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class RunningService:
    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_service(
    name: str,
    command: list[str],
    env: Mapping[str, str],
    port: int,
    log_path: Path,
    is_ready: Callable[[str], bool],
    ready_timeout_s: float = 60,
    cwd: Path | None = None,
) -> Iterator[RunningService]:
    """Starts the command in its own session and stops the whole group on exit, whatever happens."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=cwd,
        )
    service = RunningService(name, process, f"http://127.0.0.1:{port}", log_path)
    try:
        _wait_until_ready(service, is_ready, ready_timeout_s)
        yield service
    finally:
        stop(process)


def _wait_until_ready(service: RunningService, is_ready, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(
                f"{service.name} exited with {service.process.returncode} while starting:\n"
                f"{service.log_tail()}"
            )
        if is_ready(service.base_url):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{service.name} not ready within {timeout_s:.0f} s:\n{service.log_tail()}")


def http_ready(path: str) -> Callable[[str], bool]:
    def probe(base_url: str) -> bool:
        try:
            with urllib.request.urlopen(base_url + path, timeout=2) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    return probe


def tcp_ready(base_url: str) -> bool:
    host, port = base_url.rsplit("//", 1)[1].rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


def stop(process: subprocess.Popen[bytes], grace_s: float = 10) -> None:
    """SIGTERM to the group (and any descendant that left it), SIGKILL after the grace period."""
    members = {process.pid, *descendants(process.pid)}
    _signal_all(process.pid, members, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)
    survivors = {pid for pid in members | set(descendants(process.pid)) if _alive(pid)}
    if survivors:
        _signal_all(process.pid, survivors, signal.SIGKILL)
        process.wait(timeout=grace_s)


def _signal_all(group: int, pids: set[int], signum: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(group, signum)
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, signum)


def stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name (which may hold spaces and parentheses): the
    state first, then the parent, ... utime and stime at 11 and 12; None once pid is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()


def _alive(pid: int) -> bool:
    fields = stat_fields(pid)
    return bool(fields) and fields[0] != "Z"


def descendants(pid: int) -> list[int]:
    """Every process below pid, read from /proc."""
    children_of: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or not (fields := stat_fields(int(entry.name))):
            continue
        children_of.setdefault(int(fields[1]), []).append(int(entry.name))
    found, pending = [], [pid]
    while pending:
        for child in children_of.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of pid and all its descendants (pages shared between them count twice)."""
    total = 0
    for member in [pid, *descendants(pid)]:
        try:
            resident_pages = int(Path(f"/proc/{member}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += resident_pages * _PAGE_SIZE
    return total
