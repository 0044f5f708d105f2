"""Operators' OAuth 2.0 access tokens as JWTs (RFC 9068), checked by PyJWT against the issuer's
published keys: signature, `exp`, `nbf`, `iss`, `aud`, and a `typ` of an access token."""

import jwt

from registration.adapters.auth.issuer_keys import IssuerKeys
from registration.application.errors import InvalidAccessToken, OperatorAccessUnavailable
from registration.application.ports import AccessTokens, Operator

# Public-key algorithms only: an HMAC or "none" token would let whoever knows the public key
# (everyone) sign one.
ALGORITHMS = (
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
)  # fmt: skip
# RFC 9068 says at+jwt; Keycloak and Entra ID send JWT.
TOKEN_TYPES = {"at+jwt", "application/at+jwt", "jwt"}
CLOCK_SKEW_SECONDS = 10


class JwtAccessTokens(AccessTokens):
    def __init__(self, keys: IssuerKeys, issuer: str, audience: str) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience

    def operator(self, token: str) -> Operator:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidAccessToken() from None
        if str(header.get("typ", "")).lower() not in TOKEN_TYPES:
            raise InvalidAccessToken("The token is not an access token (its typ).")
        if header.get("alg") not in ALGORITHMS:
            raise InvalidAccessToken("The token is not signed with a public-key algorithm.")
        key = self._keys.key(header.get("kid"))
        if key is None:
            raise InvalidAccessToken("The token is signed with a key the issuer does not have.")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[header["alg"]],
                audience=self._audience,
                issuer=self._issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidAccessToken(f"The access token is not valid: {error}.") from None
        return Operator(subject=str(claims["sub"]), scopes=_scopes(claims))


class RefusingAccessTokens(AccessTokens):
    """Operator access without its settings: every token refused, naming what is missing."""

    def __init__(self, missing: list[str]) -> None:
        self._missing = missing

    def operator(self, token: str) -> Operator:
        raise OperatorAccessUnavailable(
            f"Operator access is not configured: set {', '.join(self._missing)}."
        )


def _scopes(claims: dict[str, object]) -> frozenset[str]:
    """`scope` as RFC 9068 sends it (space-separated), or `scp` as Entra ID does (also a list)."""
    granted = claims.get("scope", claims.get("scp", ""))
    if isinstance(granted, str):
        return frozenset(granted.split())
    if isinstance(granted, list):
        return frozenset(str(scope) for scope in granted)
    return frozenset()
