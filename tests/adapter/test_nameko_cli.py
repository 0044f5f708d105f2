"""The launchers' run loop: one line once the services are ready; the first SIGTERM or SIGINT
stops them, once, and later ones change nothing (nameko 2.14.1's own loop stops again on each,
which can hang the process)."""

import logging
import signal
from collections.abc import Iterator

import eventlet
import pytest
from nameko.timer import timer

from service_kit import nameko_cli

pytestmark = pytest.mark.adapter


class TickingService:
    """A timer entrypoint: stopping it twice raises inside nameko."""

    name = "ticking_service"

    @timer(interval=60)
    def tick(self) -> None:
        pass


@pytest.fixture
def signal_handlers() -> Iterator[None]:
    """The test process's own handlers, back after the run loop replaced them."""
    saved = {signum: signal.getsignal(signum) for signum in nameko_cli.STOP_SIGNALS}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def started(caplog: pytest.LogCaptureFixture) -> eventlet.greenthread.GreenThread:
    runner = eventlet.spawn(nameko_cli.run, [TickingService], {})
    with eventlet.Timeout(5):
        while not any(m.startswith("ready: ") for m in caplog.messages):
            eventlet.sleep(0.01)
    return runner


def deliver(signum: signal.Signals) -> None:
    """What the interpreter does when the signal arrives: call the handler installed for it."""
    handler = signal.getsignal(signum)
    assert callable(handler)
    handler(signum, None)


@pytest.mark.usefixtures("signal_handlers")
def test_the_services_say_once_they_are_ready(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="service_kit.nameko_cli")

    run = started(caplog)
    deliver(signal.SIGTERM)
    run.wait()

    [ready] = [m for m in caplog.messages if m.startswith("ready: ")]
    assert ready.startswith("ready: ticking_service (pid ")


@pytest.mark.usefixtures("signal_handlers")
@pytest.mark.parametrize(
    "signals",
    [(signal.SIGTERM, signal.SIGTERM), (signal.SIGINT, signal.SIGINT), (signal.SIGTERM,) * 3],
    ids=["sigterm-twice", "sigint-twice", "sigterm-thrice"],
)
def test_the_first_signal_stops_the_services_and_the_later_ones_are_ignored(
    signals: tuple[signal.Signals, ...], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="service_kit.nameko_cli")
    run = started(caplog)

    for signum in signals:
        deliver(signum)
        eventlet.sleep(0)  # the stop is under way when the next one comes
    with eventlet.Timeout(5):
        run.wait()

    first, *later = signals
    assert caplog.messages[1:] == [
        f"{first.name}: stopping",
        *[f"{signum.name} while stopping: ignored" for signum in later],
    ]


class RecordingRunner:
    def __init__(self) -> None:
        self.stops = 0

    def stop(self) -> None:
        self.stops += 1


@pytest.mark.usefixtures("signal_handlers")
def test_a_signal_while_the_services_start_stops_them_once_they_have_started() -> None:
    runner = RecordingRunner()
    stop = nameko_cli.StopOnce(runner)
    stop.install()

    deliver(signal.SIGTERM)
    eventlet.sleep(0.01)
    stops_while_starting = runner.stops
    stop.started()
    eventlet.sleep(0.01)

    assert (stops_while_starting, runner.stops) == (0, 1)
