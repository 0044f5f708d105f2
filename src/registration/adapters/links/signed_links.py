"""Mailed links that carry their own proof: a token signed (HMAC-SHA256, by itsdangerous) over
the entry id, the link's purpose and its expiry, so nothing secret is stored.

The first of the configured keys signs, every one verifies: a new key goes first, and the old
one stays listed for as long as the links it signed should keep working.
"""

import logging
import secrets
from datetime import UTC, datetime, timedelta
from uuid import UUID

from itsdangerous import BadSignature, URLSafeSerializer

from registration.application.errors import InvalidLink
from registration.application.ports import LinkPurpose, Links

log = logging.getLogger(__name__)

PATHS = {LinkPurpose.CONFIRM: "/confirm/", LinkPurpose.ERASE: "/erase/"}


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


class SignedLinks(Links):
    def __init__(self, base_url: str, keys: list[str], erasure_link_lifetime: timedelta) -> None:
        self._base_url = base_url.rstrip("/")
        self._erasure_link_lifetime = erasure_link_lifetime
        # itsdangerous signs with the last key of the list and verifies with all of them;
        # the purpose is its salt, so a link made for one purpose never passes for another.
        self._serializers = {
            purpose: URLSafeSerializer(list(reversed(keys)), salt=f"registration.{purpose.value}")
            for purpose in LinkPurpose
        }

    def link(self, purpose: LinkPurpose, entry_id: UUID, expires_at: datetime) -> str:
        token = self._serializers[purpose].dumps([entry_id.hex, int(expires_at.timestamp())])
        return f"{self._base_url}{PATHS[purpose]}{token}"

    def erasure_link(self, entry_id: UUID, now: datetime) -> str:
        return self.link(LinkPurpose.ERASE, entry_id, now + self._erasure_link_lifetime)

    def entry_named_by(self, purpose: LinkPurpose, token: str, now: datetime) -> UUID:
        try:
            entry_hex, expires = self._serializers[purpose].loads(token)
            entry_id, expires_at = UUID(hex=entry_hex), datetime.fromtimestamp(expires, UTC)
        except (BadSignature, ValueError, TypeError, OverflowError):
            raise InvalidLink() from None
        if expires_at <= now:
            raise InvalidLink()
        return entry_id
