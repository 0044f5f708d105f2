from importlib import resources

import sqlalchemy as sa
from alembic import command
from alembic.config import Config


def upgrade_to_head(database_url: str) -> None:
    """Apply every Alembic migration not yet applied to the database at `database_url`."""
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("registration.adapters.sql") / "migrations")
    )
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()
