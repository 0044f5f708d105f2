"""`nameko run` as both services' launchers start it (`registration-run`, `welcome-run`).

- eventlet 0.41 announces its bug-fix-only status on import with a warning of its own class
  (not a DeprecationWarning): nine lines on stderr that would break the JSON log lines;
- a listen address already in use is said in one line, not a traceback.

Run: `python -m service_kit.nameko_cli run --config config.yml <service module>`
"""

import sys
import warnings

EVENTLET_NOTICE = r"\s*Eventlet is deprecated"


def import_eventlet_quietly() -> None:
    """Import eventlet without its notice; the tests' conftest does the same."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=EVENTLET_NOTICE, category=Warning)
        import eventlet  # noqa: F401


def command(config: str, service_module: str) -> list[str]:
    """The argv that runs `service_module` under nameko through this module."""
    return [sys.executable, "-m", __name__, "run", "--config", config, service_module]


def exit_if_address_in_use(config_file: str, key: str, default: str) -> None:
    """Checked before nameko starts, so a taken port is one line, not a traceback per extension."""
    import_eventlet_quietly()
    from nameko.web.server import parse_address

    from service_kit.config_file import load_config
    from service_kit.listening import AddressInUse, ensure_free

    address = str(load_config(config_file).get(key, default))
    try:
        ensure_free(parse_address(address), key)
    except AddressInUse as error:
        sys.exit(f"error: {error}")


def main(argv: list[str]) -> None:
    import_eventlet_quietly()
    with warnings.catch_warnings():  # nameko 2.14.1's CLI imports the deprecated pkg_resources
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
        from nameko.cli.main import main as nameko_main

    from service_kit.listening import AddressInUse

    sys.argv = ["nameko", *argv]
    try:
        nameko_main()
    except AddressInUse as error:
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main(sys.argv[1:])
