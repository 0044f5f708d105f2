"""`registration-migrate`: bring the database named by config.yml (DATABASE_URL) up to date,
creating it first on a PostgreSQL server that does not have it yet."""

import sys

from registration.bootstrap import migrate_database
from service_kit.config_file import load_config
from service_kit.database_creation import DatabaseUnavailable
from service_kit.logging import configure_logging


def main() -> None:
    config = load_config()
    configure_logging(config)  # in the container, JSON lines like the service's own
    try:
        migrate_database(config)
    except DatabaseUnavailable as error:
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
