"""Mailed links that carry their own proof: a token signed (HMAC-SHA256, by itsdangerous) over
the entry id, the link's purpose and its expiry, so nothing secret is stored.

The first of the configured keys signs, every one verifies: a new key goes first, and the old
one stays listed for as long as the links it signed should keep working.
"""

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from itsdangerous import BadSignature, Signer, URLSafeSerializer
from itsdangerous.encoding import base64_encode

from registration.application.errors import InvalidLink
from registration.application.ports import LinkPurpose, Links
from registration.infrastructure.compact_json import compact_json

log = logging.getLogger(__name__)

PATHS = {LinkPurpose.CONFIRM: "/confirm/", LinkPurpose.ERASE: "/erase/"}
DIGEST = hashlib.sha256
# Links mailed before the service signed with SHA-256 carry itsdangerous' default, HMAC-SHA1
# (a sound MAC still): they verify until the last of them expires (ERASURE_LINK_DAYS after).
EARLIER_SIGNERS = [{"digest_method": hashlib.sha1}]


def signing_keys(configured: str) -> list[str]:
    """The keys from LINK_SIGNING_KEYS, first the one that signs; unset, one made for this
    process (its links stop working when it stops, and no other process accepts them)."""
    keys = [key.strip() for key in configured.split(",") if key.strip()]
    if keys:
        return keys
    log.warning(
        "LINK_SIGNING_KEYS is not set: this process signs the mailed links with a random key of"
        " its own; set the same secret for every process of the service"
    )
    return [secrets.token_urlsafe(32)]


class PurposeTokens:
    """One purpose's tokens, as itsdangerous' URLSafeSerializer makes and reads them.

    Signing gives the very token its `dumps` would, without what `dumps` redoes on every call
    (a signer built, the key derived, a zlib pass that never shortens an id and a timestamp):
    a sign-up signs two links, and `dumps` was a tenth of a registration's CPU.
    """

    def __init__(self, keys: list[str], purpose: LinkPurpose) -> None:
        # itsdangerous signs with the last key of the list and verifies with all of them;
        # the purpose is its salt, so a link made for one purpose never passes for another.
        self._serializer = URLSafeSerializer(
            list(reversed(keys)),
            salt=f"registration.{purpose.value}",
            signer_kwargs={"digest_method": DIGEST},
            fallback_signers=EARLIER_SIGNERS,
        )
        derived_key = self._serializer.make_signer().derive_key()
        self._signer = Signer(derived_key, key_derivation="none", digest_method=DIGEST)

    def dumps(self, value: list[str | int]) -> str:
        return self._signer.sign(base64_encode(compact_json(value))).decode("ascii")

    def loads(self, token: str) -> Any:
        return self._serializer.loads(token)


class SignedLinks(Links):
    def __init__(self, base_url: str, keys: list[str], erasure_link_lifetime: timedelta) -> None:
        self._base_url = base_url.rstrip("/")
        self._erasure_link_lifetime = erasure_link_lifetime
        self._tokens = {purpose: PurposeTokens(keys, purpose) for purpose in LinkPurpose}

    def link(self, purpose: LinkPurpose, entry_id: UUID, expires_at: datetime) -> str:
        token = self._tokens[purpose].dumps([entry_id.hex, int(expires_at.timestamp())])
        return f"{self._base_url}{PATHS[purpose]}{token}"

    def erasure_link(self, entry_id: UUID, now: datetime) -> str:
        return self.link(LinkPurpose.ERASE, entry_id, now + self._erasure_link_lifetime)

    def entry_named_by(self, purpose: LinkPurpose, token: str, now: datetime) -> UUID:
        try:
            entry_hex, expires = self._tokens[purpose].loads(token)
            entry_id, expires_at = UUID(hex=entry_hex), datetime.fromtimestamp(expires, UTC)
        except (BadSignature, ValueError, TypeError, OverflowError):
            raise InvalidLink() from None
        if expires_at <= now:
            raise InvalidLink()
        return entry_id
