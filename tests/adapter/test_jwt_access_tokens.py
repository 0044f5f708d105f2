"""Operators' access tokens checked against a real JWKS served over HTTP (tests/support/auth.py):
every way a token can fail to prove who sent it, and the issuer rotating its keys."""

import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwt.utils import base64url_encode

from registration.adapters.auth.issuer_keys import IssuerKeys
from registration.adapters.auth.jwt_access_tokens import JwtAccessTokens, RefusingAccessTokens
from registration.application.errors import InvalidAccessToken, OperatorAccessUnavailable
from registration.application.ports import Operator
from tests.support.auth import AUDIENCE, TokenIssuer

pytestmark = pytest.mark.adapter


@pytest.fixture(scope="module")
def issuer():
    issuer = TokenIssuer()
    yield issuer
    issuer.close()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def tokens(issuer, clock):
    keys = IssuerKeys(issuer.settings["AUTH_JWKS_URL"], clock=clock)
    return JwtAccessTokens(keys, issuer.issuer, AUDIENCE)


def test_a_good_token_names_its_subject_and_scopes(issuer, tokens):
    token = issuer.token("entries:read", "entries:erase", subject="alice")

    assert tokens.operator(token) == Operator("alice", frozenset({"entries:read", "entries:erase"}))


def test_scopes_may_come_as_entra_id_sends_them_with_typ_jwt(issuer, tokens):
    token = issuer.token(scope=None, scp=["entries:read"], header={"typ": "JWT"})

    assert tokens.operator(token).scopes == {"entries:read"}


@pytest.mark.parametrize(
    "options",
    [
        {"lifetime": -60},  # expired
        {"nbf": int(time.time()) + 600},  # not yet valid
        {"aud": "another-api"},
        {"iss": "https://someone-else.example/"},
        {"sub": None},
        {"exp": None},
        {"header": {"typ": "id+jwt"}},  # an ID token, not an access token
        {"header": {"typ": None}},
        {"key": rsa.generate_private_key(public_exponent=65537, key_size=2048)},  # forged
    ],
    ids=["expired", "not-yet-valid", "audience", "issuer", "no-sub", "no-exp", "id-token",
         "no-typ", "forged"],
)  # fmt: skip
def test_a_token_that_proves_nothing_is_refused(issuer, tokens, options):
    token = issuer.token("entries:read", **options)

    with pytest.raises(InvalidAccessToken):
        tokens.operator(token)


@pytest.mark.parametrize("algorithm", ["HS256", "none"])
def test_a_token_signed_without_the_issuers_private_key_is_refused(issuer, tokens, algorithm):
    # The classic confusion: HMAC keyed with the public key, or no signature at all.
    key_id, private = issuer.keys[-1]
    public_pem = private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    claims = jwt.decode(issuer.token("entries:read"), options={"verify_signature": False})
    key = public_pem if algorithm == "HS256" else None
    forged = _encode_unsafely(claims, key, algorithm, {"kid": key_id, "typ": "at+jwt"})

    with pytest.raises(InvalidAccessToken):
        tokens.operator(forged)


def test_garbage_is_refused(tokens):
    with pytest.raises(InvalidAccessToken):
        tokens.operator("not-a-jwt")


def test_a_rotated_key_is_fetched_on_its_first_token_and_unknown_ids_at_most_every_30s(
    issuer, tokens, clock
):
    tokens.operator(issuer.token("entries:read"))
    fetches = issuer.jwks_fetches
    issuer.rotate()
    clock.now += 31  # the 30 s since the last fetch have passed

    assert tokens.operator(issuer.token("entries:read")).subject == "operator-1"
    assert issuer.jwks_fetches == fetches + 1

    made_up = issuer.token("entries:read", header={"kid": "made-up"})
    for _ in range(5):
        with pytest.raises(InvalidAccessToken):
            tokens.operator(made_up)
    assert issuer.jwks_fetches == fetches + 1, "an unknown kid refetched within 30 s"

    clock.now += 31
    with pytest.raises(InvalidAccessToken):
        tokens.operator(made_up)
    assert issuer.jwks_fetches == fetches + 2


def test_an_issuer_that_cannot_be_reached_refuses_with_unavailable(clock):
    keys = IssuerKeys("http://127.0.0.1:9/jwks.json", clock=clock)  # discard port: nothing there
    unreachable = JwtAccessTokens(keys, "https://issuer.example/", AUDIENCE)

    with pytest.raises(OperatorAccessUnavailable):
        unreachable.operator(_any_token())


def test_without_settings_every_token_is_refused_naming_what_is_missing(issuer):
    refusing = RefusingAccessTokens(["AUTH_JWKS_URL"])

    with pytest.raises(OperatorAccessUnavailable, match="AUTH_JWKS_URL"):
        refusing.operator(issuer.token("entries:read"))


def _any_token() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode({"sub": "x"}, key, algorithm="RS256", headers={"kid": "k", "typ": "at+jwt"})


def _encode_unsafely(claims: dict, key: bytes | None, algorithm: str, header: dict) -> str:
    """PyJWT refuses to make these, as it should: built by hand from its encoding helpers."""
    segments = [
        base64url_encode(json.dumps({"alg": algorithm, **header}).encode()),
        base64url_encode(json.dumps(claims).encode()),
    ]
    signing_input = b".".join(segments)
    if key is None:
        signature = b""
    else:
        signature = base64url_encode(hmac.new(key, signing_input, hashlib.sha256).digest())
    return b".".join([*segments, signature]).decode()
