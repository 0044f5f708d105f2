"""Nameko dependency providers: what a worker of the welcome service gets injected."""

from nameko.contextdata import ContextDataProvider
from nameko.extensions import DependencyProvider, SharedExtension

from welcome import bootstrap
from welcome.adapters.prometheus_metrics import WelcomeMetrics
from welcome.entrypoints.delivery import REQUEST_ID_HEADER
from welcome.event_log import safe_id


class MetricsKeeper(SharedExtension):
    """One set of counters per container, shared by the event entrypoint and the service."""

    def setup(self):
        self.metrics = WelcomeMetrics()


class Metrics(DependencyProvider):
    keeper = MetricsKeeper()

    def get_dependency(self, worker_ctx):
        return self.keeper.metrics


class Wiring(SharedExtension):
    """The use cases, built once per container from its config and shared by its providers."""

    def setup(self):
        self.welcome = bootstrap.build_welcome(self.container.config)

    def stop(self):
        self._close()

    def kill(self):
        self._close()

    def _close(self):
        welcome = getattr(self, "welcome", None)  # absent if setup failed
        if welcome is not None:
            welcome.close()


class AskToConfirmUseCase(DependencyProvider):
    """The wired `ask_to_confirm`."""

    wiring = Wiring()

    def get_dependency(self, worker_ctx):
        return self.wiring.welcome.ask_to_confirm


class WelcomeUseCase(DependencyProvider):
    """The wired `welcome_new_registration`."""

    wiring = Wiring()

    def get_dependency(self, worker_ctx):
        return self.wiring.welcome.welcome_new_registration


class ForgetErasedEntryUseCase(DependencyProvider):
    """The wired `forget_erased_entry`."""

    wiring = Wiring()

    def get_dependency(self, worker_ctx):
        return self.wiring.welcome.forget_erased_entry


class RequestId(ContextDataProvider):
    """The `x-request-id` header of the event being handled, safe to log."""

    context_key = REQUEST_ID_HEADER

    def get_dependency(self, worker_ctx):
        return safe_id(super().get_dependency(worker_ctx))
