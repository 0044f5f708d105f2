"""Database failures translated into what the core understands."""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy.exc

from registration.adapters.sql.schema import EMAIL_UNIQUE_CONSTRAINT, entries
from registration.application.errors import StorageUnavailable
from registration.domain.errors import EmailAlreadyRegistered


def _is_duplicate_email(error: BaseException) -> bool:
    original = getattr(error, "orig", error)
    constraint = getattr(getattr(original, "diag", None), "constraint_name", None)
    if constraint is not None:
        return bool(constraint == EMAIL_UNIQUE_CONSTRAINT)
    return entries.c.email_key.name in str(original)  # SQLite names the column, not the constraint


def _is_integrity_error(error: BaseException) -> bool:
    original = getattr(error, "orig", error)
    return type(original).__name__ in ("IntegrityError", "UniqueViolation") or isinstance(
        error, sqlalchemy.exc.IntegrityError
    )


@contextmanager
def translated_errors() -> Iterator[None]:
    try:
        yield
    except StorageUnavailable:
        raise
    except Exception as error:
        if _is_integrity_error(error) and _is_duplicate_email(error):
            raise EmailAlreadyRegistered() from None
        if _is_connection_problem(error):
            raise StorageUnavailable("The database is not reachable.") from error
        raise


def _is_connection_problem(error: BaseException) -> bool:
    if isinstance(error, sqlalchemy.exc.TimeoutError | sqlalchemy.exc.DisconnectionError):
        return True
    if isinstance(error, sqlalchemy.exc.DBAPIError):
        return error.connection_invalidated or isinstance(
            error, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError
        )
    # A driver error raised outside SQLAlchemy (the group commit's own cursor): psycopg2's
    # OperationalError family includes QueryCanceled, the server-side statement timeout.
    return any(
        kind.__name__ in ("OperationalError", "InterfaceError") for kind in type(error).__mro__
    )
