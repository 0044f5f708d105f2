"""Chooses the load generator: wrk (installed with apt-get when we may), else the Python one."""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

from bench.load import LoadResult
from bench.python_load import run_python_load
from bench.wrk import run_wrk, wrk_available


@dataclass(frozen=True)
class LoadGenerator:
    name: str
    _run: Callable[..., LoadResult]

    def run(
        self,
        base_url: str,
        *,
        token: str,
        connections: int,
        duration_s: float,
        total_requests: int = 0,
    ) -> LoadResult:
        return self._run(
            base_url,
            token=token,
            connections=connections,
            duration_s=duration_s,
            total_requests=total_requests,
        )


def choose_load_generator(wrk_threads: int) -> LoadGenerator:
    if wrk_available() or _install_wrk():
        return LoadGenerator(
            f"wrk -t{wrk_threads} ({_wrk_version()})",
            lambda *args, **kwargs: run_wrk(*args, threads=wrk_threads, **kwargs),
        )
    print("wrk is not available: using the Python load generator", file=sys.stderr)
    return LoadGenerator("python asyncio load generator", run_python_load)


def _install_wrk() -> bool:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    print("installing wrk with apt-get", file=sys.stderr)
    installed = subprocess.run(
        ["apt-get", "install", "-y", "wrk"],
        capture_output=True,
        check=False,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    return installed.returncode == 0 and wrk_available()


def _wrk_version() -> str:
    # `wrk --version` prints its banner and exits 1
    banner = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    first_line = (banner.stdout or banner.stderr).strip().splitlines()[:1]
    return first_line[0].split(" Copyright")[0] if first_line else "wrk"
