from importlib import resources

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

# An arbitrary constant naming this service's migration lock.
MIGRATION_LOCK = 7_318_402_661


def upgrade_to_head(database_url: str, revision: str = "head") -> None:
    """Apply every Alembic migration not yet applied to the database at `database_url` (up to
    `revision`: tests build an older schema this way)."""
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("registration.adapters.sql") / "migrations")
    )
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Replicas starting together take turns; the later ones find nothing to do.
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()
