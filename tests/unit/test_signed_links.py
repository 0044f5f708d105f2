"""The mailed links' tokens: what itsdangerous reads, signed with HMAC-SHA256, and the links
mailed before (HMAC-SHA1) still accepted."""

import hashlib
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from itsdangerous import URLSafeSerializer
from itsdangerous.encoding import base64_decode

from registration.adapters.links.signed_links import SignedLinks
from registration.application.errors import InvalidLink
from registration.application.ports import LinkPurpose

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
KEYS = ["the key that signs", "a retired key"]


def token(link: str) -> str:
    return link.rsplit("/", 1)[1]


def serializer(purpose: LinkPurpose, keys: list[str], **options: object) -> URLSafeSerializer:
    return URLSafeSerializer(list(reversed(keys)), salt=f"registration.{purpose.value}", **options)


@pytest.mark.parametrize("purpose", list(LinkPurpose))
def test_a_token_is_the_one_itsdangerous_signs_with_sha256(purpose):
    links = SignedLinks("https://example.org", KEYS, timedelta(days=1))
    reference = serializer(purpose, KEYS, signer_kwargs={"digest_method": hashlib.sha256})
    for seconds in range(3_600, 201 * 3_600, 3_600):
        entry_id, expires = uuid4(), NOW + timedelta(seconds=seconds)
        signed = token(links.link(purpose, entry_id, expires))

        assert signed == reference.dumps([entry_id.hex, int(expires.timestamp())])
        assert len(base64_decode(signed.rsplit(".", 1)[1])) == hashlib.sha256().digest_size
        assert links.entry_named_by(purpose, signed, NOW) == entry_id


@pytest.mark.parametrize("key", KEYS)
def test_a_link_mailed_when_links_were_signed_with_sha1_still_verifies(key):
    links = SignedLinks("https://example.org", KEYS, timedelta(days=1))
    entry_id = uuid4()
    earlier = serializer(LinkPurpose.CONFIRM, [key]).dumps(
        [entry_id.hex, int(NOW.timestamp()) + 60]
    )

    assert links.entry_named_by(LinkPurpose.CONFIRM, earlier, NOW) == entry_id


def test_a_token_altered_or_signed_with_another_key_names_no_entry():
    links = SignedLinks("https://example.org", KEYS, timedelta(days=1))
    stranger = SignedLinks("https://example.org", ["another key"], timedelta(days=1))
    signed = token(links.link(LinkPurpose.CONFIRM, uuid4(), NOW + timedelta(hours=1)))
    payload, signature = signed.rsplit(".", 1)
    forged = token(stranger.link(LinkPurpose.CONFIRM, uuid4(), NOW + timedelta(hours=1)))

    for bad in (payload + "." + signature[::-1], payload[:-2] + "." + signature, forged, ""):
        with pytest.raises(InvalidLink):
            links.entry_named_by(LinkPurpose.CONFIRM, bad, NOW)


def test_links_signed_with_a_retired_key_still_verify_while_it_is_listed():
    old = SignedLinks("https://example.org", ["old"], timedelta(days=1))
    rotated = SignedLinks("https://example.org", ["new", "old"], timedelta(days=1))
    dropped = SignedLinks("https://example.org", ["new"], timedelta(days=1))
    entry_id = uuid4()
    link = token(old.link(LinkPurpose.CONFIRM, entry_id, NOW + timedelta(hours=1)))

    assert rotated.entry_named_by(LinkPurpose.CONFIRM, link, NOW) == entry_id
    with pytest.raises(InvalidLink):
        dropped.entry_named_by(LinkPurpose.CONFIRM, link, NOW)
