"""Fixtures of the fault tests: the service as a real process behind two cuttable proxies, and
an event collector bound straight to RabbitMQ before any load starts."""

import contextlib
import time
import uuid
from dataclasses import dataclass
from typing import NamedTuple

import amqp
import pytest
from amqp.exceptions import AMQPError
from kombu.utils.url import parse_url
from sqlalchemy.engine import make_url
from tests.fault.support.event_collector import EXCHANGE, EventCollector
from tests.fault.support.load_driver import Answer, LoadDriver
from tests.fault.support.proxy_process import ProxyProcess
from tests.fault.support.reconciliation import Reconciliation, reconcile
from tests.fault.support.service_process import ServiceProcess
from tests.fault.support.stored_state import StoredState, read_stored_state

SETTLE_SECONDS = 1.0

# What the service declares on the shared broker; removed afterwards unless someone else uses it.
SERVICE_QUEUES = ("rpc-nameko_registration_service",)
SERVICE_EXCHANGES = (EXCHANGE, "nameko-rpc")


class Cut(NamedTuple):
    cut_at: float
    restored_at: float
    ready_during_cut: int  # /health/ready's status halfway through


class Settled(NamedTuple):
    acknowledged: set[str]  # entry ids answered 201
    delivered: bool  # each of them had an event within the timeout
    stored: StoredState
    result: Reconciliation


@dataclass
class FaultStack:
    service: ServiceProcess
    broker_link: ProxyProcess
    database_link: ProxyProcess
    events: EventCollector
    database_url: str  # direct, for the test's own reads
    email_prefix: str  # every address of this run starts with it; the collector keeps only those

    def load(self, **options: object) -> LoadDriver:
        return LoadDriver(self.service.base_url, self.email_prefix, **options)  # type: ignore[arg-type]

    def hold_cut(self, link: ProxyProcess, mode: str, seconds: float) -> Cut:
        """Cut `link` for `seconds`, asking for readiness halfway through, then restore it."""
        cut_at = time.monotonic()
        link.cut(mode)
        time.sleep(seconds / 2)
        ready_during_cut = self.service.ready_status()
        time.sleep(max(0.0, cut_at + seconds - time.monotonic()))
        restored_at = time.monotonic()
        link.restore()
        return Cut(cut_at, restored_at, ready_during_cut)

    def settle(self, answers: list[Answer], delivery_timeout: float) -> Settled:
        """Once the load stopped: wait for the events of every 201 and for an empty outbox, then
        reconcile answers, events and what is stored."""
        acknowledged = {a.entry_id for a in answers if a.status == 201}
        delivered = self.events.wait_for_entries(acknowledged, delivery_timeout)
        stored = self.stored_once_relayed()
        return Settled(
            acknowledged, delivered, stored, reconcile(answers, self.events.events, stored)
        )

    def stored_once_relayed(self, timeout: float = 30.0) -> StoredState:
        """The stored state once the outbox has nothing pending, after a moment more for late
        (duplicate) deliveries to arrive; pending rows left after `timeout` stay in the result."""
        deadline = time.monotonic() + timeout
        while read_stored_state(self.database_url).pending and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(SETTLE_SECONDS)
        return read_stored_state(self.database_url)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed
    return report


@pytest.fixture
def broker_link(amqp_uri):
    proxy = ProxyProcess(parse_url(amqp_uri).get("port") or 5672)
    yield proxy
    proxy.close()


@pytest.fixture
def database_link(fresh_postgres_url):
    proxy = ProxyProcess(make_url(fresh_postgres_url).port or 5432)
    yield proxy
    proxy.close()


@pytest.fixture
def unused_service_objects_removed(amqp_uri):
    """Set up before the collector and the service, so torn down after both."""
    yield
    _remove_unused_service_objects(amqp_uri)


@pytest.fixture
def email_prefix():
    return f"fault-{uuid.uuid4().hex[:12]}-"


@pytest.fixture
def event_collector(amqp_uri, email_prefix):
    collector = EventCollector(_host(amqp_uri), email_prefix)
    yield collector
    collector.close()


@pytest.fixture
def stack(
    request,
    unused_service_objects_removed,
    fresh_postgres_url,
    broker_link,
    database_link,
    event_collector,
    email_prefix,
):
    amqp_via_proxy = f"amqp://guest:guest@127.0.0.1:{broker_link.port}/"
    database_via_proxy = (
        make_url(fresh_postgres_url).set(port=database_link.port).render_as_string(False)
    )
    service = ServiceProcess(database_via_proxy, amqp_via_proxy)
    try:
        service.start()
        yield FaultStack(
            service, broker_link, database_link, event_collector, fresh_postgres_url, email_prefix
        )
    finally:
        service.stop()
        if getattr(request.node, "call_failed", False):
            print(f"\n--- service log (last lines) ---\n{service.log_tail()}")
        service.remove_log()


def _host(amqp_uri: str) -> str:
    parts = parse_url(amqp_uri)
    return f"{parts.get('hostname') or '127.0.0.1'}:{parts.get('port') or 5672}"


def _remove_unused_service_objects(amqp_uri: str) -> None:
    """The broker is shared: delete the service's queue and exchanges only while unused."""
    connection = amqp.Connection(host=_host(amqp_uri), userid="guest", password="guest")
    connection.connect()
    try:
        for queue in SERVICE_QUEUES:
            with contextlib.suppress(AMQPError):
                connection.channel().queue_delete(queue, if_unused=True, if_empty=True)
        for exchange in SERVICE_EXCHANGES:
            with contextlib.suppress(AMQPError):
                connection.channel().exchange_delete(exchange, if_unused=True)
    finally:
        connection.collect()
