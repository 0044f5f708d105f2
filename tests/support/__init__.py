"""Helpers of every test tier, imported as `tests.support.…`.

Shared by both services: `databases` and `sessions` (PostgreSQL), `ports`, `web` and `raw_http`
(HTTP clients), `line_process`, `tcp_proxy`, `proxy_process` and `tls_proxy` (helper processes). Then
one package each for the `registration` and `welcome` services and for the `fault` tier.
"""
