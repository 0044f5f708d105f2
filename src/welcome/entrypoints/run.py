"""`welcome-run`: the welcome-mail subscriber under nameko, started the way `registration-run`
starts the API (exec, so signals reach nameko directly). `make run-subscriber` and the container
use it."""

import os
import sys

from service_kit import nameko_cli
from service_kit.config_file import config_path, load_config
from service_kit.database_creation import DatabaseUnavailable, ensure_database_exists
from welcome.settings import WelcomeSettings

SERVICE_MODULE = "welcome.entrypoints.service"


def main() -> None:
    config = config_path()
    nameko_cli.import_eventlet_quietly()  # before nameko's web module imports it
    from welcome.entrypoints.web import ADDRESS_CONFIG_KEY, DEFAULT_ADDRESS

    nameko_cli.exit_if_address_in_use(config, ADDRESS_CONFIG_KEY, DEFAULT_ADDRESS)
    try:
        # one line for a setting the service would refuse, rather than a traceback from nameko
        settings = WelcomeSettings.from_config(load_config(config))
        # the inbox's tables are created at start; the database itself, here
        ensure_database_exists(settings.database_url)
    except (ValueError, DatabaseUnavailable) as error:
        sys.exit(f"error: {error}")
    command = nameko_cli.command(config, SERVICE_MODULE)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
