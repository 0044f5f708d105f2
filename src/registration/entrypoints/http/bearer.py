"""Bearer tokens (RFC 6750) in front of the operator operations: the token of the Authorization
header, the operator the application's `AccessTokens` finds in it, the scope an operation needs,
and the challenge each refusal answers with."""

from werkzeug.wrappers import Request

from registration.application.errors import (
    AccessTokenRequired,
    InsufficientScope,
    InvalidAccessToken,
)
from registration.application.ports import AccessTokens, Operator
from registration.domain.errors import CoreError

REALM = 'Bearer realm="registration"'


def operator_of(request: Request, tokens: AccessTokens) -> Operator:
    """Who sent the request, or `AccessTokenRequired` / `InvalidAccessToken`."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise AccessTokenRequired()
    if not token.strip():
        raise InvalidAccessToken("The Authorization header holds no token.")
    return tokens.operator(token.strip())


def require_scope(operator: Operator, scope: str) -> None:
    if scope not in operator.scopes:
        raise InsufficientScope(scope)


def challenge(error: CoreError) -> str | None:
    """The WWW-Authenticate header of a refusal (RFC 6750 section 3), None for other errors."""
    if isinstance(error, AccessTokenRequired):
        return REALM
    if isinstance(error, InvalidAccessToken):
        return f'{REALM}, error="invalid_token"'
    if isinstance(error, InsufficientScope):
        return f'{REALM}, error="insufficient_scope", scope="{error.scope}"'
    return None
