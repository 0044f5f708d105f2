"""`registration-migrate`: bring the database named by config.yml (DATABASE_URL) up to date,
creating it first on a PostgreSQL server that does not have it yet."""

import sys

from registration.adapters.sql.migrate import upgrade_to_head
from registration.infrastructure.settings import Settings
from service_kit.config_file import load_config
from service_kit.database_creation import DatabaseUnavailable, ensure_database_exists
from service_kit.logging import configure_logging


def main() -> None:
    config = load_config()
    configure_logging(config)  # in the container, JSON lines like the service's own
    database_url = Settings.from_config(config).database_url
    try:
        ensure_database_exists(database_url)
    except DatabaseUnavailable as error:
        sys.exit(f"error: {error}")
    upgrade_to_head(database_url)


if __name__ == "__main__":
    main()
