"""Operator operations against a real container, PostgreSQL and an identity provider serving its
keys over HTTP: only a good token with its scope reads, finds or erases an entry; every refusal
is a problem document that changes nothing; every access leaves an audit line, never the address.
"""

import logging
import uuid

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.auth import shared_issuer
from tests.support.databases import fresh_postgres_database
from tests.support.registration.service_container import base_url, isolated_service
from tests.support.registration.sign_up import sign_up
from tests.support.web import WebSession

pytestmark = pytest.mark.integration

INVALID = 'Bearer realm="registration", error="invalid_token"'


@pytest.fixture(scope="module")
def stack(amqp_uri):
    with (
        fresh_postgres_database() as database_url,
        isolated_service(amqp_uri, database_url) as config,
    ):
        yield base_url(config), database_url


@pytest.fixture
def service(stack):
    return stack[0]


@pytest.fixture
def entry(stack):
    """A confirmed registration of a new address."""
    with WebSession(stack[0]) as session:
        return sign_up(session, stack[1], f"Op-{uuid.uuid4().hex[:10]}@Example.org")


def issuer():
    return shared_issuer()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def operations(entry: dict) -> list[tuple[str, str, dict | None, str]]:
    """(method, path, JSON body, scope) of every operator operation on `entry`."""
    return [
        ("GET", f"/entries/{entry['id']}", None, "entries:read"),
        ("POST", "/entries/lookup", {"email": entry["email"]}, "entries:read"),
        ("DELETE", f"/entries/{entry['id']}", None, "entries:erase"),
    ]


REFUSED_TOKENS = {
    "none": (lambda: {}, 'Bearer realm="registration"'),
    "forged": (
        lambda: bearer(issuer().token("entries:read", "entries:erase", key=_stranger_key())),
        INVALID,
    ),
    "expired": (
        lambda: bearer(issuer().token("entries:read", "entries:erase", lifetime=-120)),
        INVALID,
    ),
    "other-audience": (
        lambda: bearer(issuer().token("entries:read", "entries:erase", aud="another-api")),
        INVALID,
    ),
    "garbage": (lambda: bearer("e30.e30.e30"), INVALID),
}


@pytest.mark.parametrize("kind", REFUSED_TOKENS)
def test_every_operator_operation_without_a_good_token_is_a_401_that_changes_nothing(
    service, entry, kind
):
    headers, challenge = REFUSED_TOKENS[kind]
    for method, path, body, _ in operations(entry):
        answer = requests.request(
            method, f"{service}{path}", json=body, headers=headers(), timeout=10
        )
        assert answer.status_code == 401, (method, path, answer.text)
        assert answer.headers["WWW-Authenticate"] == challenge
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert entry["email"] not in answer.text
    assert _read(service, entry["id"]).json() == entry


def test_a_token_without_the_scope_is_a_403_naming_it_and_changes_nothing(service, entry):
    for method, path, body, scope in operations(entry):
        other = {"entries:read": "entries:erase", "entries:erase": "entries:read"}[scope]
        answer = requests.request(
            method, f"{service}{path}", json=body, headers=issuer().headers(other), timeout=10
        )
        assert answer.status_code == 403, (method, path, answer.text)
        assert f'error="insufficient_scope", scope="{scope}"' in answer.headers["WWW-Authenticate"]
        assert answer.json()["type"] == "/problems/insufficient-scope"
    assert _read(service, entry["id"]).json() == entry


def test_scopes_given_as_entra_id_gives_them_are_honoured(service, entry):
    token = issuer().token(scope=None, scp="entries:read", header={"typ": "JWT"})

    assert _read(service, entry["id"], bearer(token)).json() == entry


def test_an_operator_finds_an_entry_by_its_address_written_any_way_then_erases_it(
    service, entry, caplog
):
    written_otherwise = f"  {entry['email'].upper()} "
    read = issuer().headers("entries:read", subject="alice")
    erase = issuer().headers("entries:erase", subject="alice")

    with caplog.at_level(logging.INFO, logger="registration.audit"):
        found = requests.post(
            f"{service}/entries/lookup", json={"email": written_otherwise}, headers=read, timeout=10
        )
        erased = requests.delete(f"{service}/entries/{entry['id']}", headers=erase, timeout=10)
        after = requests.post(
            f"{service}/entries/lookup", json={"email": entry["email"]}, headers=read, timeout=10
        )

    assert found.status_code == 200 and found.json() == entry
    assert found.headers["Cache-Control"] == "no-store"
    assert erased.status_code == 204
    assert after.status_code == 404 and after.json()["type"] == "/problems/entry-not-found"
    audit = [r.getMessage() for r in caplog.records if r.name == "registration.audit"]
    assert audit == [
        f"audit: lookup by operator:alice, entry {entry['id']}: done",
        f"audit: erase by operator:alice, entry {entry['id']}: done",
        "audit: lookup by operator:alice, entry -: not_found",
    ]
    assert not any(entry["email"].lower() in line.lower() for line in caplog.messages)


@pytest.mark.parametrize("body", [{}, {"email": 5}, {"email": "not an address"}, {"email": ""}, []])
def test_a_bad_lookup_is_a_4xx_problem(service, body):
    answer = requests.post(
        f"{service}/entries/lookup",
        json=body,
        headers=issuer().headers("entries:read"),
        timeout=10,
    )

    assert 400 <= answer.status_code < 500 and answer.status_code != 404, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"


def test_the_token_is_checked_before_the_body_is_read(service):
    answer = requests.post(f"{service}/entries/lookup", data=b"{", timeout=10)

    assert answer.status_code == 401


def _read(service: str, entry_id: str, headers: dict | None = None) -> requests.Response:
    return requests.get(
        f"{service}/entries/{entry_id}",
        headers=headers or issuer().headers("entries:read"),
        timeout=10,
    )


def _stranger_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)
