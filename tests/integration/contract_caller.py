"""A downstream service as its team writes it, with only nameko-registration-contract installed.

Run by test_contract_package.py with the interpreter of a fresh virtual environment, never
imported by the suite. It starts a stock nameko service whose `@event_handler`s subscribe to
ConfirmationRequested and RegisteredEntryEvent, registers one address over `ClusterRpcProxy`,
confirms it by the link the first event carries (as its owner would, from the mail), registers it
again, and prints one JSON line: what the second call raised and the RegisteredEntryEvent the
handler received.

    python contract_caller.py AMQP_URI EMAIL SERVICE_BASE_URL
"""

import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import sys  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402
from urllib.request import urlopen  # noqa: E402

from eventlet.queue import Empty, Queue  # noqa: E402
from nameko.containers import ServiceContainer  # noqa: E402
from nameko.events import event_handler  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

from registration_contract import (  # noqa: E402
    CONFIRMATION_REQUESTED,
    REGISTERED_ENTRY_EVENT,
    SERVICE_NAME,
)
from registration_contract.errors import EmailAlreadyRegistered  # noqa: E402

EVENT_WAIT_SECONDS = 30
RPC_TIMEOUT_SECONDS = 20

received: Queue = Queue()


class ContractSubscriber:
    name = "contract_subscriber"

    @event_handler(SERVICE_NAME, CONFIRMATION_REQUESTED)
    def on_confirmation_requested(self, payload):
        received.put(payload)

    @event_handler(SERVICE_NAME, REGISTERED_ENTRY_EVENT)
    def on_registered_entry(self, payload):
        received.put(payload)


def confirm(confirm_url, base_url):
    """Press the button of the confirmation page, on the service under test."""
    link = base_url.rstrip("/") + urlsplit(confirm_url).path
    with urlopen(link, data=b"List-Unsubscribe=One-Click", timeout=RPC_TIMEOUT_SECONDS) as page:
        assert page.status == 200, page.status


def register_confirm_and_register_again(config, email, base_url):
    """The entry of the first call, and the dotted name of what the second one raised."""
    with ClusterRpcProxy(config, timeout=RPC_TIMEOUT_SECONDS) as cluster:
        registration = cluster[SERVICE_NAME]
        entry = registration.register_entry(email)
        requested = event_about(entry["email"], CONFIRMATION_REQUESTED)
        if requested is None:
            return entry, "no ConfirmationRequested arrived"
        confirm(requested["confirm_url"], base_url)
        try:
            registration.register_entry(email)
        except EmailAlreadyRegistered as error:
            return entry, f"{type(error).__module__}.{type(error).__name__}"
        except Exception as error:  # reported, so the test says what came back instead
            return entry, f"{type(error).__module__}.{type(error).__name__}: {error}"
        return entry, None


def event_about(email, event_type):
    try:
        while True:
            payload = received.get(timeout=EVENT_WAIT_SECONDS)
            if payload.get("email") == email and payload.get("name") == event_type:
                return payload
    except Empty:
        return None


def main(amqp_uri, email, base_url):
    config = {"AMQP_URI": amqp_uri}
    container = ServiceContainer(ContractSubscriber, config)
    container.start()  # its queue is bound before the first registration is made
    try:
        entry, second_call_raised = register_confirm_and_register_again(config, email, base_url)
        event = event_about(entry["email"], REGISTERED_ENTRY_EVENT)
    finally:
        container.stop()
    print(json.dumps({"entry": entry, "second_call_raised": second_call_raised, "event": event}))


if __name__ == "__main__":
    main(*sys.argv[1:])
