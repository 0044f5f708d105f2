"""The RPC entrypoints as another Nameko service calls them: a standalone proxy over the real
broker, a real container on a fresh PostgreSQL database, the domain's own errors coming back.

One container and one proxy serve the module (each test uses addresses of its own): a container
per test would spend a second and a half of every test stopping nameko's consumers.
"""

import logging
import uuid

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from registration_contract.errors import EmailAlreadyRegistered, EntryNotFound, InvalidEmail
from tests.support.databases import fresh_postgres_database
from tests.support.registration.service_container import (
    base_url,
    delete_queue,
    delete_rpc_queue,
    isolated_service_class,
    running_container,
    service_config,
)
from tests.support.registration.sign_up import confirmation_request, follow
from tests.support.web import WebSession

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def database_url():
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def service(amqp_uri, database_url):
    """(name, base URL) of one running service."""
    service_cls = isolated_service_class()
    try:
        config = service_config(amqp_uri, database_url)
        with running_container(service_cls, config):
            yield service_cls.name, base_url(config)
    finally:
        delete_rpc_queue(amqp_uri, service_cls.name)


@pytest.fixture(scope="module")
def service_name(service):
    return service[0]


@pytest.fixture(scope="module")
def registration_rpc(service_name, amqp_uri):
    standalone = ServiceRpcProxy(service_name, {"AMQP_URI": amqp_uri}, timeout=10)
    try:
        yield standalone.start()
    finally:
        standalone.stop()
        # Deleted now, not left to expire (x-expires, 5 min); nameko has no public name for it.
        delete_queue(amqp_uri, standalone._reply_listener.queue.name)


def new_address() -> str:
    return f"rpc-{uuid.uuid4().hex[:12]}@example.com"


def test_registering_returns_the_new_entry(registration_rpc):
    local = f"Ada-{uuid.uuid4().hex[:8]}"

    entry = registration_rpc.register_entry(f" {local}@Example.COM ")

    assert set(entry) == {"id", "email", "status", "registered_at", "confirmed_at"}
    assert (entry["email"], entry["status"]) == (f"{local}@example.com", "pending")
    uuid.UUID(entry["id"])


def test_a_registered_entry_can_be_read_back(registration_rpc):
    entry = registration_rpc.register_entry(new_address())

    assert registration_rpc.get_entry(entry["id"]) == entry


def test_registering_a_pending_address_again_returns_its_entry(registration_rpc):
    email = new_address()
    entry = registration_rpc.register_entry(email)

    assert registration_rpc.register_entry(email.upper()) == entry


def test_registering_a_confirmed_address_raises_email_already_registered(
    registration_rpc, service, database_url
):
    email = new_address()
    registration_rpc.register_entry(email)
    with WebSession(service[1]) as session:
        assert follow(session, confirmation_request(database_url, email)["confirm_url"]).ok

    with pytest.raises(EmailAlreadyRegistered):
        registration_rpc.register_entry(email.upper())


def test_an_invalid_address_raises_invalid_email(registration_rpc):
    with pytest.raises(InvalidEmail):
        registration_rpc.register_entry("not an address")


@pytest.mark.parametrize("entry_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_an_unknown_entry_raises_entry_not_found(registration_rpc, entry_id):
    with pytest.raises(EntryNotFound):
        registration_rpc.get_entry(entry_id)


def test_erasing_an_entry_removes_it(registration_rpc):
    entry = registration_rpc.register_entry(new_address())

    assert registration_rpc.erase_entry(entry["id"]) is None
    with pytest.raises(EntryNotFound):
        registration_rpc.get_entry(entry["id"])


def test_an_entry_is_found_by_its_address_written_any_way_and_the_caller_audited(
    registration_rpc, caplog
):
    entry = registration_rpc.register_entry(new_address())

    with caplog.at_level(logging.INFO, logger="registration.audit"):
        found = registration_rpc.find_entry(f" {entry['email'].upper()} ")
        registration_rpc.erase_entry(entry["id"])
        with pytest.raises(EntryNotFound):
            registration_rpc.find_entry(entry["email"])

    assert found == entry
    audit = [r.getMessage() for r in caplog.records if r.name == "registration.audit"]
    assert audit == [
        f"audit: lookup by rpc:standalone_rpc_proxy, entry {entry['id']}: done",
        f"audit: erase by rpc:standalone_rpc_proxy, entry {entry['id']}: done",
        "audit: lookup by rpc:standalone_rpc_proxy, entry -: not_found",
    ]


@pytest.mark.parametrize("entry_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_erasing_an_unknown_entry_raises_entry_not_found(registration_rpc, entry_id):
    with pytest.raises(EntryNotFound):
        registration_rpc.erase_entry(entry_id)


def test_erasing_twice_raises_entry_not_found_the_second_time(registration_rpc):
    entry = registration_rpc.register_entry(new_address())
    registration_rpc.erase_entry(entry["id"])

    with pytest.raises(EntryNotFound):
        registration_rpc.erase_entry(entry["id"])
