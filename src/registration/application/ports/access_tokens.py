from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class Operator:
    """Someone an identity provider vouches for, and what it lets them do."""

    subject: str  # the token's `sub`: who asked, as the audit log names them
    scopes: frozenset[str]


class AccessTokens(ABC):
    """Who presents an access token: the check the operator operations stand behind."""

    @abstractmethod
    def operator(self, token: str) -> Operator:
        """The operator the token names.

        Raises `InvalidAccessToken` for a token that proves nothing (forged, expired, for
        another audience or issuer), `OperatorAccessUnavailable` when no token can be checked
        (the check is not configured, or the issuer's keys cannot be fetched)."""
