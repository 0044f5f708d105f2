"""Fixtures of the fault tests: the service as a real process behind two cuttable proxies, and
an event collector bound straight to RabbitMQ before any load starts, all on a virtual host of
the test's own."""

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pytest
from kombu.utils.url import parse_url
from sqlalchemy.engine import make_url

from tests.support.broker import through_port
from tests.support.fault.event_collector import EventCollector
from tests.support.fault.load_driver import Answer, LoadDriver
from tests.support.fault.reconciliation import Reconciliation, reconcile
from tests.support.fault.stored_state import StoredState, read_stored_state
from tests.support.proxy_process import ProxyProcess
from tests.support.registration.service_process import ServiceProcess

SETTLE_SECONDS = 1.0


class Cut(NamedTuple):
    cut_at: float
    restored_at: float
    ready_during_cut: int  # /health/ready's status halfway through


class Settled(NamedTuple):
    acknowledged: set[str]  # addresses answered 202
    delivered: bool  # each of them had an event within the timeout
    stored: StoredState
    result: Reconciliation


@dataclass
class Replica:
    """One instance of the service, reaching the broker and the database through its own links."""

    service: ServiceProcess
    broker_link: ProxyProcess
    database_link: ProxyProcess


@dataclass
class FaultStack:
    replicas: list[Replica]  # every one on the same database and broker
    events: EventCollector
    database_url: str  # direct, for the test's own reads
    email_prefix: str  # every address of this run starts with it; the collector keeps only those

    @property
    def service(self) -> ServiceProcess:
        return self.replicas[0].service

    @property
    def broker_link(self) -> ProxyProcess:
        return self.replicas[0].broker_link

    @property
    def database_link(self) -> ProxyProcess:
        return self.replicas[0].database_link

    def load(self, replica: Replica | None = None, name: str = "", **options: object) -> LoadDriver:
        """A load on one replica (the first by default); `name` tells loads on one apart."""
        service = (replica or self.replicas[0]).service
        prefix = f"{self.email_prefix}{service.port}{name}-"  # still the run's prefix
        return LoadDriver(service.base_url, prefix, **options)  # type: ignore[arg-type]

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
        """Once the load stopped: wait for the events of every 202 and for an empty outbox, then
        reconcile answers, events and what is stored."""
        acknowledged = {a.email for a in answers if a.status == 202}
        delivered = self.events.wait_for_addresses(acknowledged, delivery_timeout)
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
def amqp_uri(private_vhost):
    """The services run under the deployed name: on a vhost of their own they answer no other
    run's RPC calls, and what they and the faults leave behind goes with the vhost. Set up before
    the collector and the services, so torn down after both."""
    return private_vhost.amqp_uri


@pytest.fixture
def email_prefix():
    return f"fault-{uuid.uuid4().hex[:12]}-"


@pytest.fixture
def event_collector(amqp_uri, email_prefix):
    collector = EventCollector(amqp_uri, email_prefix)
    yield collector
    collector.close()


@pytest.fixture
def start_stack(
    request,
    amqp_uri,
    fresh_postgres_url,
    event_collector,
    email_prefix,
    tmp_path,
):
    """Starts `count` replicas on one fresh database, `settings` on top of the fault tests' own;
    stops them all after the test."""
    replicas: list[Replica] = []

    def start(count: int, **settings: str) -> FaultStack:
        for _ in range(count):
            log_path = tmp_path / f"replica-{len(replicas)}.log"
            replica = _replica(fresh_postgres_url, amqp_uri, log_path, settings)
            replicas.append(replica)
            replica.service.start()
        return FaultStack(replicas, event_collector, fresh_postgres_url, email_prefix)

    yield start
    for number, replica in enumerate(replicas):
        replica.service.stop()
        if getattr(request.node, "call_failed", False):
            print(f"\n--- replica {number} log (last lines) ---\n{replica.service.log_tail()}")
        replica.broker_link.close()
        replica.database_link.close()


@pytest.fixture
def stack(start_stack):
    return start_stack(1)


@pytest.fixture
def replicas(start_stack):
    """Two instances, as behind a balancer."""
    return start_stack(2)


def _replica(database_url: str, amqp_uri: str, log_path: Path, settings: dict[str, str]) -> Replica:
    broker_link = ProxyProcess(parse_url(amqp_uri).get("port") or 5672)
    database_link = ProxyProcess(make_url(database_url).port or 5432)
    service = ServiceProcess(
        log_path,
        DATABASE_URL=make_url(database_url).set(port=database_link.port).render_as_string(False),
        AMQP_URI=through_port(amqp_uri, broker_link.port),
        EVENT_PUBLISHER="outbox",
        OUTBOX_POLL_SECONDS="0.5",
        WEB_CONCURRENCY="1",
        **settings,
    )
    return Replica(service, broker_link, database_link)
