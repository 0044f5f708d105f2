from registration.domain.errors import CoreError, ErrorKind


class EntryNotFound(
    CoreError,
    kind=ErrorKind.NOT_FOUND,
    code="entry-not-found",
    title="Entry not found",
    outcome="not_found",
):
    pass


class StorageUnavailable(
    CoreError,
    kind=ErrorKind.UNAVAILABLE,
    code="service-unavailable",
    title="Service unavailable",
    outcome="unavailable",
):
    """The store cannot be reached right now; the caller may retry later."""


class InvalidLink(
    CoreError,
    kind=ErrorKind.INVALID,
    code="invalid-link",
    title="Link not valid",
    outcome="invalid_link",
    typed_for_rpc=False,
):
    """A mailed link that is expired, altered, made for another purpose, or not ours."""

    def __init__(self, message: str = "This link is not valid or has expired.") -> None:
        super().__init__(message)


class EntryChanged(
    CoreError,
    kind=ErrorKind.CONFLICT,
    code="entry-changed",
    title="Entry changed",
    outcome="changed",
    typed_for_rpc=False,
):
    """The entry changed between reading it and storing its new state (another request won)."""

    def __init__(self, message: str = "The entry changed meanwhile; nothing was stored.") -> None:
        super().__init__(message)


class AccessTokenRequired(
    CoreError,
    kind=ErrorKind.UNAUTHENTICATED,
    code="token-required",
    title="Access token required",
    outcome="unauthenticated",
    typed_for_rpc=False,
):
    def __init__(self, message: str = "This operation needs an operator's bearer token.") -> None:
        super().__init__(message)


class InvalidAccessToken(
    CoreError,
    kind=ErrorKind.UNAUTHENTICATED,
    code="invalid-token",
    title="Invalid access token",
    outcome="unauthenticated",
    typed_for_rpc=False,
):
    """Forged, expired, not yet valid, or issued by or for someone else: it proves nothing."""

    def __init__(self, message: str = "The access token is not valid.") -> None:
        super().__init__(message)


class InsufficientScope(
    CoreError,
    kind=ErrorKind.FORBIDDEN,
    code="insufficient-scope",
    title="Insufficient scope",
    outcome="forbidden",
    typed_for_rpc=False,
):
    def __init__(self, scope: str) -> None:
        super().__init__(f"This operation needs the scope {scope}.")
        self.scope = scope


class OperatorAccessUnavailable(
    CoreError,
    kind=ErrorKind.UNAVAILABLE,
    code="operator-access-unavailable",
    title="Operator access unavailable",
    outcome="unavailable",
    typed_for_rpc=False,
):
    """No access token can be checked now: operator operations are refused, never open."""
