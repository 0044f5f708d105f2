"""The errors the core raises on purpose, each declaring once what it means to a caller.

A class declares itself with keywords: its kind (what went wrong, in words every adapter maps
once: HTTP to a status, metrics to nothing more), a stable `code` (the problem type over HTTP),
a `title`, the `outcome` label of the use case's metric, and whether RPC callers get it as a
type of its own. A subclass without keywords is an adapter's variant of its declared ancestor
(a circuit breaker's kind of StorageUnavailable, say) and reaches callers as that ancestor.
"""

from enum import Enum
from typing import ClassVar


class ErrorKind(Enum):
    INVALID = "invalid"  # the input breaks a rule
    CONFLICT = "conflict"  # the input is fine, the current state forbids it
    NOT_FOUND = "not_found"  # what the caller names does not exist
    UNAVAILABLE = "unavailable"  # a dependency is down; the same call may work later
    UNAUTHENTICATED = "unauthenticated"  # the caller proved no identity
    FORBIDDEN = "forbidden"  # the caller is known, and not allowed this


class CoreError(Exception):
    """Raised on purpose by the core; the message is safe to show to the caller."""

    kind: ClassVar[ErrorKind]
    code: ClassVar[str]
    title: ClassVar[str]
    outcome: ClassVar[str]
    typed_for_rpc: ClassVar[bool] = True

    def __init_subclass__(
        cls,
        *,
        kind: ErrorKind | None = None,
        code: str | None = None,
        title: str | None = None,
        outcome: str | None = None,
        typed_for_rpc: bool = True,
        **kwargs: object,
    ) -> None:
        super().__init_subclass__(**kwargs)
        declared = (kind, code, title, outcome)
        if any(value is None for value in declared) and any(v is not None for v in declared):
            raise TypeError(f"{cls.__name__} declares only part of kind, code, title, outcome")
        if kind is not None:
            cls.kind, cls.code, cls.title, cls.outcome = kind, str(code), str(title), str(outcome)
            cls.typed_for_rpc = typed_for_rpc
            cls._declared = cls

    _declared: ClassVar[type["CoreError"] | None] = None

    @classmethod
    def declared_type(cls) -> type["CoreError"] | None:
        """The class that declared this error's meaning (itself, or the nearest ancestor)."""
        return cls._declared


class DomainError(CoreError):
    """A rule of the domain was broken."""


class InvalidEmail(
    DomainError,
    kind=ErrorKind.INVALID,
    code="invalid-email",
    title="Invalid email address",
    outcome="invalid",
):
    pass


class EmailAlreadyRegistered(
    DomainError,
    kind=ErrorKind.CONFLICT,
    code="already-registered",
    title="Already registered",
    outcome="duplicate",
):
    def __init__(self, message: str = "This email address is already registered.") -> None:
        super().__init__(message)
