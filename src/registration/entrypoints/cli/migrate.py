"""`registration-migrate`: bring the database named by config.yml up to date as the schema's owner
(MIGRATION_DATABASE_URL, else DATABASE_URL), creating it first on a PostgreSQL server that does
not have it yet. `prepare_schema` is registration-run's step before the service starts."""

import sys
from collections.abc import Callable
from typing import Any

from registration.adapters.sql.migrate import NotTheSchemasOwner, SchemaNotReady
from registration.bootstrap import migrate_database
from registration.bootstrap import prepare_schema as prepare_schema_with
from service_kit.config_file import load_config
from service_kit.database_creation import DatabaseUnavailable
from service_kit.logging import configure_logging


def main() -> None:
    _run(migrate_database)


def prepare_schema() -> None:
    """Migrate, or with MIGRATIONS=wait wait until the schema is at this release's head."""
    _run(prepare_schema_with)


def _run(step: Callable[[dict[str, Any]], None]) -> None:
    config = load_config()
    configure_logging(config)  # in the container, JSON lines like the service's own
    try:
        step(config)
    except (DatabaseUnavailable, NotTheSchemasOwner, SchemaNotReady, ValueError) as error:
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
