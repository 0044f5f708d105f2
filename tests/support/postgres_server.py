"""A PostgreSQL server of a test's own: its own data directory, port, `pg_hba.conf` and settings,
stopped and deleted afterwards. For what the shared server must not be given (TLS only, say).

It runs the `initdb` and `postgres` this machine has (Debian's /usr/lib/postgresql/<version>/bin,
else on PATH). PostgreSQL refuses to run as root: under root (CI) it runs as the `postgres` OS
user, who then owns its folder; otherwise as the test's own user.
"""

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.ports import free_port
from tests.support.system_tools import required_tool

SUPERUSER = "postgres"
_DEBIAN_VERSIONS = Path("/usr/lib/postgresql")
_START_TIMEOUT_SECONDS = 30
_STOP_TIMEOUT_SECONDS = 15
_INITDB = ("--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions")


@dataclass(frozen=True)
class PostgresServer:
    port: int
    folder: Path

    def url(self, host: str = "127.0.0.1", database: str = "postgres", query: str = "") -> str:
        return f"postgresql://{SUPERUSER}@{host}:{self.port}/{database}" + (
            f"?{query}" if query else ""
        )


@contextmanager
def own_postgres_server(
    hba: Sequence[str], settings: Mapping[str, str], files: Mapping[str, bytes] = {}
) -> Iterator[PostgresServer]:
    """A started server listening on 127.0.0.1 only, whose `pg_hba.conf` holds the `hba` lines
    alone and whose postgresql.conf ends with `settings`. `files` are written into its data
    directory, readable by the server's user alone (as PostgreSQL demands of a private key): a
    setting names them relative to it (`ssl_key_file = server.key`)."""
    bin_folder = _binaries()
    owner = _server_user()
    # not pytest's tmp_path: its parents are private to the test's user
    folder = Path(tempfile.mkdtemp(prefix="pg-own-"))
    data = folder / "data"
    port = free_port()
    run_as = _run_as(owner)
    try:
        if owner is not None:
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        # trust: whoever reaches the server may log in; pg_hba.conf decides who reaches it
        initdb = subprocess.run(
            [str(bin_folder / "initdb"), "-D", str(data), f"--username={SUPERUSER}", *_INITDB],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=60,
            **run_as,
        )
        if initdb.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{initdb.stderr or initdb.stdout}")
        for name, content in files.items():
            _write_private(data / name, content, owner)
        (data / "pg_hba.conf").write_text("\n".join(hba) + "\n")
        own = {
            "listen_addresses": "127.0.0.1",
            "port": str(port),
            "unix_socket_directories": str(folder),
            "fsync": "off",
        }
        with open(data / "postgresql.conf", "a") as conf:
            for name, value in {**own, **settings}.items():
                conf.write(f"{name} = '{value}'\n")
        with open(folder / "server.log", "wb") as log:
            server = subprocess.Popen(
                [str(bin_folder / "postgres"), "-D", str(data)],
                cwd=folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **run_as,
            )
        try:
            _await_ready(server, data, folder / "server.log")
            yield PostgresServer(port=port, folder=folder)
        finally:
            _stop(server)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _binaries() -> Path:
    installed = sorted(
        _DEBIAN_VERSIONS.glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]), reverse=True
    )
    if installed:
        return installed[0].parent
    return Path(required_tool("initdb", "install PostgreSQL's server (Debian: postgresql)")).parent


def _server_user() -> pwd.struct_passwd | None:
    """Whom the server runs as, when not as the test's own user (root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError(
            "PostgreSQL refuses to run as root, and this machine has no `postgres` user"
        ) from None


def _run_as(owner: pwd.struct_passwd | None) -> dict[str, Any]:
    if owner is None:
        return {}
    return {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}


def _write_private(path: Path, content: bytes, owner: pwd.struct_passwd | None) -> None:
    path.write_bytes(content)
    path.chmod(0o600)
    if owner is not None:
        os.chown(path, owner.pw_uid, owner.pw_gid)


def _await_ready(server: subprocess.Popen, data: Path, log: Path) -> None:
    # The postmaster's status, the last line of postmaster.pid: "ready" once it takes sessions.
    deadline = time.monotonic() + _START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"postgres exited:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(FileNotFoundError):
            lines = (data / "postmaster.pid").read_text().splitlines()
            if len(lines) >= 8 and lines[7].strip() == "ready":
                return
        time.sleep(0.05)
    raise RuntimeError(f"postgres did not start:\n{log.read_text()[-3000:]}")


def _stop(server: subprocess.Popen) -> None:
    # SIGINT: PostgreSQL's fast shutdown, which ends the sessions still open.
    with contextlib.suppress(ProcessLookupError):
        server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=_STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
