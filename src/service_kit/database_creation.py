"""A PostgreSQL database named in a URL but not created yet is created before the migrations.

A developer's `make run` against a fresh server, or a new environment, then just works; when it
cannot be created (no CREATEDB right, say), or the server cannot be reached (refused, a
certificate that does not verify, a wrong password), the error says so in one line.
"""

import sqlalchemy as sa

# The database every PostgreSQL server has, to connect to while ours does not exist yet.
MAINTENANCE_DATABASE = "postgres"
DUPLICATE_DATABASE = "42P04"  # another replica created it meanwhile
# ... or is creating it at this moment: its row in pg_database is not committed yet
UNIQUE_VIOLATION = "23505"


class DatabaseUnavailable(Exception):
    """The server cannot be reached, or the database does not exist and could not be created."""


def ensure_database_exists(database_url: str) -> None:
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() != "postgresql" or not url.database:
        return  # SQLite creates its file itself
    if not _missing(url):
        return
    admin = sa.create_engine(url.set(database=MAINTENANCE_DATABASE), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = admin.dialect.identifier_preparer.quote(url.database)
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
    except sa.exc.DBAPIError as error:
        code = getattr(error.orig, "pgcode", None)
        if code == DUPLICATE_DATABASE or (code == UNIQUE_VIOLATION and not _missing(url)):
            return
        reason = str(error.orig).strip().splitlines()[0]
        raise DatabaseUnavailable(
            f"database {url.database!r} does not exist on {url.host}:{url.port or 5432} "
            f"and could not be created ({reason}); create it, or point DATABASE_URL elsewhere"
        ) from None
    finally:
        admin.dispose()


def _missing(url: sa.URL) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            return False
    except sa.exc.OperationalError as error:
        if f'database "{url.database}" does not exist' in str(error.orig):
            return True
        reason = str(error.orig).strip().splitlines()[0]
        raise DatabaseUnavailable(
            f"cannot connect to {url.database!r} on {url.host}:{url.port or 5432} "
            f"as {url.username!r} ({reason})"
        ) from None
    finally:
        engine.dispose()
