"""Counters of what happened to events, in a registry of their own (one per service container)."""

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest


class WelcomeMetrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        # Not the global default registry: two containers in one process (tests) stay apart.
        self._registry = CollectorRegistry()
        self.handled = self._counter(
            "handled", "RegisteredEntryEvents whose welcome mail was sent."
        )
        self.confirmations = self._counter(
            "confirmations", "ConfirmationRequested events whose confirmation mail was sent."
        )
        self.duplicate = self._counter(
            "duplicate", "Events skipped because their event_id was already processed."
        )
        self.erasures = self._counter(
            "erasures", "EntryErased events honoured: the entry will never be welcomed."
        )
        self.skipped_erased = self._counter(
            "skipped_erased", "Mails not sent because their entry was erased first."
        )
        self.retried = self._counter("retried", "Failed deliveries scheduled for another attempt.")
        self.dead_lettered = self._counter(
            "dead_lettered", "Events moved to the dead-letter queue (poison or out of attempts)."
        )

    def mailed(self, kind: str) -> Counter:
        """The counter of mails sent of this kind ("welcome" or "confirmation")."""
        return {"welcome": self.handled, "confirmation": self.confirmations}[kind]

    def _counter(self, what: str, description: str) -> Counter:
        return Counter(f"welcome_events_{what}", description, registry=self._registry)

    def exposition(self) -> str:
        """The Prometheus text format, as a str (nameko's @http wants str bodies)."""
        return generate_latest(self._registry).decode("utf-8")
