"""A use case's outcomes as a Prometheus counter: its success, or the outcome its error declares.

Each use case's entrypoint declares its counter beside it; the labels come from the errors
(`CoreError.outcome`), so a new error adds no entry to any list here.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter

from registration.domain.errors import CoreError

UNEXPECTED = "error"


class Outcomes:
    def __init__(self, name: str, documentation: str, success: str) -> None:
        self._counter = Counter(name, documentation, ["outcome"])
        self._success = self._counter.labels(success)  # looked up once: the hot path's outcome

    @contextmanager
    def counting(self) -> Iterator[None]:
        try:
            yield
        except CoreError as error:
            self._counter.labels(error.outcome).inc()
            raise
        except Exception:
            self._counter.labels(UNEXPECTED).inc()
            raise
        self._success.inc()
