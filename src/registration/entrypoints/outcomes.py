"""A use case's outcomes as a Prometheus counter: its success, or the outcome its error declares.

Each use case's entrypoint declares its counter beside it; the labels come from the errors
(`CoreError.outcome`), so a new error adds no entry to any list here.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from prometheus_client import Counter

from registration.domain.errors import CoreError

UNEXPECTED = "error"


class Outcomes:
    def __init__(self, name: str, documentation: str, success: str) -> None:
        self._counter = Counter(name, documentation, ["outcome"])
        self._success = self._counter.labels(success)  # looked up once: the hot path's outcome

    @contextmanager
    def counting(self) -> Iterator[Callable[[str], None]]:
        """Counts the block's outcome: its error's, or the success; the block may name another
        outcome of its own by calling what it is given."""
        named: list[str] = []
        try:
            yield named.append
        except CoreError as error:
            self._counter.labels(error.outcome).inc()
            raise
        except Exception:
            self._counter.labels(UNEXPECTED).inc()
            raise
        if named:
            self._counter.labels(named[-1]).inc()
        else:
            self._success.inc()

    def add(self, outcome: str, amount: float) -> None:
        self._counter.labels(outcome).inc(amount)
