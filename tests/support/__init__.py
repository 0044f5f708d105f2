"""Helpers of every test tier, imported as `tests.support.…`.

Shared by both services: `databases` and `sessions` (PostgreSQL); `broker` and `queues`
(RabbitMQ: a private vhost, plain connections, queues read and removed); `ports`; `web` and
`raw_http` (HTTP clients); the helper processes `line_process`, `tcp_proxy`, `proxy_process` and
`tls_proxy`. Then one package each for the `registration` and `welcome` services and for the
`fault` tier.
"""
