"""Helpers of every test tier, imported as `tests.support.…`.

Shared by both services: `databases` and `sessions` (PostgreSQL), `broker` (RabbitMQ, a private
vhost), `ports`, `web` and `raw_http` (HTTP clients), and the helper processes `line_process`,
`tcp_proxy`, `proxy_process` and `tls_proxy`. Then one package each for the `registration` and
`welcome` services and for the `fault` tier.
"""
