"""The schema's migrations: applied by the role that owns the schema (registration-migrate, or
registration-run with MIGRATIONS=apply), or waited for by a replica that may not change it
(MIGRATIONS=wait)."""

import logging
import time
from importlib import resources

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

# An arbitrary constant naming this service's migration lock.
MIGRATION_LOCK = 7_318_402_661
POLL_SECONDS = 2.0
INSUFFICIENT_PRIVILEGE = "42501"

logger = logging.getLogger(__name__)


class SchemaNotReady(Exception):
    """The database's schema did not reach this release's head revision in time."""


class NotTheSchemasOwner(Exception):
    """The role migrating may not change the schema (the runtime's, say)."""


def upgrade_to_head(database_url: str, revision: str = "head") -> None:
    """Apply every Alembic migration not yet applied to the database at `database_url` (up to
    `revision`: tests build an older schema this way)."""
    config = _alembic_config()
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Replicas starting together take turns; the later ones find nothing to do.
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except sa.exc.DBAPIError as error:
        if getattr(error.orig, "pgcode", None) != INSUFFICIENT_PRIVILEGE:
            raise
        reason = str(error.orig).strip().splitlines()[0]
        raise NotTheSchemasOwner(
            f"{engine.url.username} may not change the schema ({reason}): migrate as the "
            "schema's owner (MIGRATION_DATABASE_URL)"
        ) from None
    finally:
        engine.dispose()


def head_revision() -> str:
    """The newest revision this release ships."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "the release ships no migration"
    return head


def wait_for_head(
    database_url: str, timeout_seconds: float, poll_seconds: float = POLL_SECONDS
) -> None:
    """Return once the schema is at this release's head revision, or at a revision this release
    does not know (a newer release migrated it: its migrations only add, so this one still works
    on it). Raises SchemaNotReady after `timeout_seconds`, naming both revisions."""
    script = ScriptDirectory.from_config(_alembic_config())
    head = script.get_current_head()
    known = {revision.revision for revision in script.walk_revisions()}
    engine = _probe_engine(database_url)
    deadline = time.monotonic() + timeout_seconds
    announced = False
    try:
        while True:
            try:
                current = _current_revisions(engine)
            except sa.exc.DBAPIError as error:  # not created yet, or not reachable yet
                found = f"unknown ({str(error.orig).strip().splitlines()[0]})"
            else:
                if head in current or current - known:
                    return
                found = ", ".join(sorted(current)) or "none"
            if time.monotonic() >= deadline:
                raise SchemaNotReady(
                    f"the database's schema is at revision {found}, this release needs {head} "
                    f"(waited {timeout_seconds:g} s with MIGRATIONS=wait: run registration-migrate)"
                )
            if not announced:
                logger.info("waiting for the migrations: schema at %s, needs %s", found, head)
                announced = True
            time.sleep(poll_seconds)
    finally:
        engine.dispose()


def _current_revisions(engine: sa.Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def _probe_engine(database_url: str) -> sa.Engine:
    """A connection per look, none held between them; a server that does not answer is one
    failed look, not a hang."""
    url = sa.engine.make_url(database_url)
    connect_args = {"connect_timeout": 5} if url.get_backend_name() == "postgresql" else {}
    return sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=connect_args)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("registration.adapters.sql") / "migrations")
    )
    return config
