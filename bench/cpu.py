"""CPU time the server side spends: the contender's process tree, every PostgreSQL process and
the broker's (RabbitMQ's Erlang VM and its helpers), read from /proc. The load generator and the
benchmark's own event recorder are left out: they cost the same per request for every contender
and would only blur the ratio."""

import os
from dataclasses import dataclass
from pathlib import Path

from bench.processes import descendants, stat_fields

_TICKS_PER_S = os.sysconf("SC_CLK_TCK")
# The broker's and the database's processes, by the name the kernel gives them.
SHARED_SERVERS = frozenset({"postgres", "beam.smp", "erl_child_setup", "epmd", "inet_gethost"})


@dataclass(frozen=True)
class CpuSnapshot:
    ticks: dict[int, int]  # pid -> user + system clock ticks so far

    def seconds_since(self, earlier: "CpuSnapshot") -> float:
        """CPU seconds spent between the two: a process that started since counts whole, one that
        ended since is lost (the services keep their processes and connections for the run)."""
        spent = sum(ticks - earlier.ticks.get(pid, 0) for pid, ticks in self.ticks.items())
        return max(0, spent) / _TICKS_PER_S


def server_side_cpu(service_pid: int) -> CpuSnapshot:
    pids = {service_pid, *descendants(service_pid), *_shared_server_pids()}
    return CpuSnapshot({pid: ticks for pid in pids if (ticks := _ticks(pid)) is not None})


def _shared_server_pids() -> list[int]:
    return [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and _name(int(entry.name)) in SHARED_SERVERS
    ]


def _name(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None


def _ticks(pid: int) -> int | None:
    fields = stat_fields(pid)
    return int(fields[11]) + int(fields[12]) if fields else None  # utime, stime
