"""`registration-migrate`: bring the database named by config.yml (DATABASE_URL) up to date."""

from registration.adapters.sql.migrate import upgrade_to_head
from registration.infrastructure.config_file import load_config
from registration.infrastructure.logging import configure_logging
from registration.infrastructure.settings import Settings


def main() -> None:
    config = load_config()
    configure_logging(config)  # in the container, JSON lines like the service's own
    upgrade_to_head(Settings.from_config(config).database_url)


if __name__ == "__main__":
    main()
