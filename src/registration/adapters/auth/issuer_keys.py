"""The identity provider's signing keys (its JWKS), cached; fetched again for a key id not seen
yet, so the issuer can rotate its keys, but never more often than every `refetch_seconds`, so a
flood of tokens with made-up key ids cannot turn the service against the issuer."""

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable

import jwt

from registration.application.errors import OperatorAccessUnavailable

log = logging.getLogger(__name__)

FETCH_TIMEOUT_SECONDS = 3.0


class IssuerKeys:
    def __init__(
        self,
        jwks_url: str,
        *,
        refetch_seconds: float = 30.0,
        max_age_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = jwks_url
        self._refetch_seconds = refetch_seconds
        self._max_age_seconds = max_age_seconds
        self._clock = clock
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = threading.Lock()  # green under eventlet: one fetch at a time

    def key(self, key_id: str | None) -> jwt.PyJWK | None:
        """The key `key_id` names (or the only key, for a token that names none); None if the
        issuer has no such key. Raises `OperatorAccessUnavailable` if no key was ever fetched."""
        with self._lock:
            if self._stale() or (self._lookup(key_id) is None and self._may_refetch()):
                self._fetch()
            if self._fetched_at is None:
                raise OperatorAccessUnavailable(
                    "The identity provider's keys (AUTH_JWKS_URL) cannot be fetched."
                )
            return self._lookup(key_id)

    def _lookup(self, key_id: str | None) -> jwt.PyJWK | None:
        if key_id is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(key_id)

    def _stale(self) -> bool:
        if self._fetched_at is None:
            return self._may_refetch()
        return self._clock() - self._fetched_at > self._max_age_seconds and self._may_refetch()

    def _may_refetch(self) -> bool:
        attempted = self._attempted_at
        return attempted is None or self._clock() - attempted >= self._refetch_seconds

    def _fetch(self) -> None:
        self._attempted_at = self._clock()
        try:
            with urllib.request.urlopen(self._url, timeout=FETCH_TIMEOUT_SECONDS) as answer:
                document = json.load(answer)
            keys = jwt.PyJWKSet.from_dict(document).keys
        except (OSError, ValueError, jwt.PyJWTError) as error:
            # the keys fetched before stay in use: an issuer's outage locks no operator out
            log.warning("could not fetch the identity provider's keys: %s", error)
            return
        self._keys = {key.key_id: key for key in keys if key.public_key_use in (None, "sig")}
        self._fetched_at = self._attempted_at
