"""A TLS-terminating proxy in front of a plain TCP port: a broker reachable only over TLS.

Runs as its own process (`python -m tests.support.tls_proxy CERT KEY UPSTREAM_PORT`), so the test
process's eventlet hub never delays the traffic. It prints `listening PORT`, then serves until its
stdin ends. A line `count` on stdin is answered with `handshakes=N`: the TLS sessions completed.
"""

import asyncio
import contextlib
import ssl
import sys
from pathlib import Path

from tests.support.line_process import LineProcess

HOST = "127.0.0.1"
CHUNK = 64 * 1024


class TlsProxy:
    """The test's handle on the proxy process."""

    def __init__(self, cert_path: Path, key_path: Path, upstream_port: int) -> None:
        self._process = LineProcess(
            "tests.support.tls_proxy", str(cert_path), str(key_path), str(upstream_port)
        )
        self.port = int(self._process.first_line[1])

    def handshakes(self) -> int:
        return int(self._process.ask("count").split("=")[1])

    def close(self) -> None:
        self._process.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, ssl.SSLError):
        while chunk := await reader.read(CHUNK):
            writer.write(chunk)
            await writer.drain()
    with contextlib.suppress(OSError, ssl.SSLError):
        writer.close()


async def _serve(cert: str, key: str, upstream_port: int) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    handshakes = 0

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal handshakes
        handshakes += 1  # start_server hands over a connection only once its handshake is done
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(HOST, upstream_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))

    server = await asyncio.start_server(on_client, HOST, 0, ssl=context)
    print("listening", server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        if line.strip() == "count":
            print(f"handshakes={handshakes}", flush=True)
    server.close()


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1], sys.argv[2], int(sys.argv[3])))
