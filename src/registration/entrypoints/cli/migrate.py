"""`registration-migrate`: bring the database named by config.yml (DATABASE_URL) up to date."""

import logging

from registration.adapters.sql.migrate import upgrade_to_head
from registration.infrastructure.config_file import load_config
from registration.infrastructure.settings import Settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    upgrade_to_head(Settings.from_config(load_config()).database_url)


if __name__ == "__main__":
    main()
