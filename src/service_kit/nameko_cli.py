"""`nameko run` as both services' launchers start it (`registration-run`, `welcome-run`).

nameko's own ServiceRunner, loader and config, under a run loop of its own:

- it stops once, whatever delivers the signals: the first SIGTERM or SIGINT starts one graceful
  stop and later ones are ignored. nameko 2.14.1's `run` starts a second stop on a second
  SIGTERM, and its containers' stop is not reentrant: the second takes over the queue consumer's
  cancel that the first waits for, which then never ends (the process idles, listener closed).
  Two arrive whenever a signal goes to a process group whose parent passes it on too (GNU make
  does for SIGTERM). Ctrl-C stops the same way, rather than as a KeyboardInterrupt raised in
  whichever green thread is running;
- one line when the services are ready: every extension started (listeners bound, relay
  started, consumers consuming);
- eventlet 0.41 announces its bug-fix-only status on import with a warning of its own class
  (not a DeprecationWarning): nine lines on stderr that would break the JSON log lines;
- a listen address already in use is said in one line, not a traceback.

Run: `python -m service_kit.nameko_cli run --config config.yml <service module>`
"""

import argparse
import logging
import os
import signal
import sys
import time
import warnings
from typing import Any

EVENTLET_NOTICE = r"\s*Eventlet is deprecated"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

logger = logging.getLogger("service_kit.nameko_cli")  # not __main__ under `python -m`


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


class StopOnce:
    """Stops the runner on the first of STOP_SIGNALS; the later ones change nothing.

    A signal that comes while the services start is acted on once they have started: nameko
    cannot stop a container half started.
    """

    def __init__(self, runner: Any) -> None:
        import eventlet

        self._runner = runner
        self._spawn = eventlet.spawn_n
        self._started = False
        self._signal: str | None = None

    def install(self) -> None:
        for signum in STOP_SIGNALS:
            # one ignored by whoever started us stays so (SIGINT, in a script's background job)
            if signal.getsignal(signum) != signal.SIG_IGN:
                signal.signal(signum, self._on_signal)

    def started(self) -> None:
        self._started = True
        if self._signal is not None:
            self._spawn(self._stop)

    def _on_signal(self, signum: int, _frame: object) -> None:
        # Runs between two steps of whatever green thread is current: it only schedules, since
        # anything that may wait (logging takes a lock) could switch away in the middle.
        name = signal.Signals(signum).name
        if self._signal is not None:
            self._spawn(logger.info, "%s while stopping: ignored", name)
            return
        self._signal = name
        if self._started:
            self._spawn(self._stop)

    def _stop(self) -> None:
        logger.info("%s: stopping", self._signal)
        self._runner.stop()


def run(services: list[type], config: dict[str, Any]) -> None:
    """Start the services, log that they are ready, return once they have stopped."""
    from nameko.runners import ServiceRunner

    runner = ServiceRunner(config)
    for service in services:
        runner.add_service(service)
    stop = StopOnce(runner)
    stop.install()
    began = time.monotonic()
    runner.start()
    logger.info(
        "ready: %s (pid %d, started in %.1f s)",
        ", ".join(runner.service_names),
        os.getpid(),
        time.monotonic() - began,
    )
    stop.started()
    runner.wait()


def main(argv: list[str]) -> None:
    arguments = _parser().parse_args(argv)
    import_eventlet_quietly()
    import eventlet

    eventlet.monkey_patch()  # as `nameko run` does, before nameko or the service is imported
    with warnings.catch_warnings():  # nameko 2.14.1's CLI imports the deprecated pkg_resources
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
        from nameko.cli.run import import_service
    from nameko.exceptions import CommandError

    from service_kit.config_file import load_config
    from service_kit.listening import AddressInUse
    from service_kit.logging import configure_logging

    config = load_config(arguments.config)
    configure_logging(config)
    try:
        run(import_service(arguments.service), config)
    except (AddressInUse, CommandError) as error:
        sys.exit(f"error: {error}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m service_kit.nameko_cli")
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--config", required=True, help="the YAML configuration file")
    parser.add_argument("service", help="the module of the service to run")
    return parser


if __name__ == "__main__":
    main(sys.argv[1:])
