"""A loopback TCP proxy that can cut its link on command: the fault the tests inject.

Runs as its own process (`python -m tests.support.tcp_proxy UPSTREAM_PORT`) with asyncio, so
the test process's eventlet hub, busy with load and assertions, never delays the traffic.
Commands arrive one per line on stdin and are answered on stdout:

    cut refuse     close every connection; new ones are refused (the port stops listening)
    cut blackhole  close every connection; new ones are accepted and then never answered
    mute           keep every connection and pass requests on, but drop every reply: the
                   upstream acts on what it receives and the client never hears back
    restore        forward again, closing every connection (held, muted or open)
    stats          how many connections were accepted so far, and how many of those carried
                   traffic and have ended

End of stdin stops the proxy.
"""

import asyncio
import contextlib
import sys

HOST = "127.0.0.1"
CHUNK = 64 * 1024


class CuttableProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = 0
        self.mode = "forward"
        self.accepted = 0
        self.ended = 0  # client connections closed since (a cut's too)
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def listen(self) -> None:
        self._server = await asyncio.start_server(
            self._on_client, HOST, self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self, mode: str) -> None:
        self.mode = mode
        self._close_all()
        if mode == "refuse":
            self._stop_listening()
        elif self._server is None:
            await self.listen()

    def mute(self) -> None:
        self.mode = "mute"

    async def restore(self) -> None:
        self.mode = "forward"
        # What the blackhole held was never forwarded and must not arrive late; a muted
        # connection has lost replies, so no client could go on using it.
        self._close_all()
        if self._server is None:
            await self.listen()

    async def close(self) -> None:
        self._stop_listening()
        self._close_all()
        await asyncio.sleep(0.1)  # let the pumps see their connections end

    def _stop_listening(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _close_all(self) -> None:
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _on_client(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter):
        self.accepted += 1
        self._open.add(client_out)
        if self.mode in ("refuse", "blackhole"):
            return  # held open, never read: a peer that has gone silent
        try:
            server_in, server_out = await asyncio.wait_for(
                asyncio.open_connection(HOST, self.upstream_port), timeout=5
            )
        except (OSError, TimeoutError):
            self._discard(client_out)
            return
        if client_out not in self._open:  # cut while connecting upstream
            server_out.transport.abort()
            return
        self._open.add(server_out)
        await asyncio.gather(
            self._pump(client_in, server_out), self._pump(server_in, client_out, replies=True)
        )
        self._discard(client_out)
        self._discard(server_out)
        self.ended += 1

    def _discard(self, writer: asyncio.StreamWriter) -> None:
        self._open.discard(writer)
        writer.transport.abort()

    async def _pump(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, replies: bool = False
    ) -> None:
        """Copy until either side ends; then end the other, as a real peer's close would."""
        with contextlib.suppress(OSError, ConnectionError):
            while data := await source.read(CHUNK):
                if replies and self.mode == "mute":
                    continue
                sink.write(data)
                await sink.drain()
        sink.transport.abort()


async def serve(upstream_port: int) -> None:
    proxy = CuttableProxy(upstream_port)
    await proxy.listen()
    _answer(f"listening {proxy.port}")
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        command = line.split()
        if command[:1] == ["cut"] and command[1:] in (["refuse"], ["blackhole"]):
            await proxy.cut(command[1])
            _answer(f"ok {line.strip()}")
        elif command == ["mute"]:
            proxy.mute()
            _answer("ok mute")
        elif command == ["restore"]:
            await proxy.restore()
            _answer("ok restore")
        elif command == ["stats"]:
            _answer(f"ok accepted={proxy.accepted} ended={proxy.ended}")
        else:
            _answer(f"error unknown command {line.strip()!r}")
    await proxy.close()


def _answer(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
