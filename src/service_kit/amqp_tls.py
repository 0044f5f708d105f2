"""Every AMQP connection over TLS checks the broker's certificate against the host it dials.

py-amqp checks the name only when the TLS options carry `server_hostname`, which neither an
`amqps://` URI nor a usual `AMQP_SSL` (`ca_certs`, `cert_reqs`) does: the connection then accepts
any certificate the CA signed, for whatever name. nameko, kombu and this project's own
connections all go through py-amqp's `SSLTransport`, so its one wrapping step is where the
dialled host becomes the name to check. An explicit `server_hostname` still wins, and a
configuration that turns verification off (`cert_reqs: CERT_NONE`) is left as it is.
"""

import functools
import ssl
from typing import Any

from amqp.transport import SSLTransport

_MARK = "checks_the_dialled_host"


def check_broker_host_names() -> None:
    """Idempotent; the composition roots call it before any connection is made."""
    wrap_socket = SSLTransport._wrap_socket_sni
    if getattr(wrap_socket, _MARK, False):
        return

    @functools.wraps(wrap_socket)
    def with_the_dialled_host(self: SSLTransport, sock: Any, **options: Any) -> Any:
        if options.get("server_hostname") is None and options.get("cert_reqs") != ssl.CERT_NONE:
            options["server_hostname"] = self.host
        return wrap_socket(self, sock, **options)

    setattr(with_the_dialled_host, _MARK, True)
    SSLTransport._wrap_socket_sni = with_the_dialled_host  # type: ignore[method-assign]
