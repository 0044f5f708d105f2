"""HTTP over a bare socket, for requests `requests` will not send: a Content-Length that is never
honoured, a chunked body that never ends, broken framing."""

import http.client
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

LAST_CHUNK = b"0\r\n\r\n"


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    hung_up: bool | None  # the server closed the connection after answering (when watched)


def exchange(
    base_url: str,
    head: str,
    body_parts: Iterable[bytes] = (),
    *,
    watch_hang_up: bool = False,
    timeout: float = 5.0,
) -> RawResponse:
    """Send `head` (request line and headers, without the blank line) and `body_parts`, read one
    response and, if asked, see whether the server then hangs up. `timeout` only bounds waiting:
    a server that waits for more body fails the test instead of hanging it.
    """
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=timeout) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n\r\n")
        for part in body_parts:
            sock.sendall(part)
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
        hung_up = _hangs_up(sock) if watch_hang_up else None
        return RawResponse(response.status, response.headers, body, hung_up)


def chunked(data: bytes, chunk_size: int = 8192) -> list[bytes]:
    """`data` in the chunked transfer coding, without the last chunk (append LAST_CHUNK)."""
    return [
        b"%x\r\n%s\r\n" % (len(piece), piece)
        for piece in (data[i : i + chunk_size] for i in range(0, len(data), chunk_size))
    ]


def _hangs_up(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:  # still open, waiting for whatever the client sends next
        return False
