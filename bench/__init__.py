"""Benchmark: our registration service against nameko's dispatch-only example (`make bench`)."""
