"""A downstream service as its team writes it, with only nameko-registration-contract installed.

Run by test_contract_package.py with the interpreter of a fresh virtual environment, never
imported by the suite. It starts a stock nameko service whose `@event_handler` subscribes to
RegisteredEntryEvent, registers one address twice over `ClusterRpcProxy`, and prints one JSON
line: what the second call raised and which event the handler received.

    python contract_caller.py AMQP_URI EMAIL
"""

import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import sys  # noqa: E402

from eventlet.queue import Empty, Queue  # noqa: E402
from nameko.containers import ServiceContainer  # noqa: E402
from nameko.events import event_handler  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

from registration_contract import REGISTERED_ENTRY_EVENT, SERVICE_NAME  # noqa: E402
from registration_contract.errors import EmailAlreadyRegistered  # noqa: E402

EVENT_WAIT_SECONDS = 30
RPC_TIMEOUT_SECONDS = 20

received: Queue = Queue()


class ContractSubscriber:
    name = "contract_subscriber"

    @event_handler(SERVICE_NAME, REGISTERED_ENTRY_EVENT)
    def on_registered_entry(self, payload):
        received.put(payload)


def register_twice(config, email):
    """The entry of the first call, and the dotted name of what the second one raised."""
    with ClusterRpcProxy(config, timeout=RPC_TIMEOUT_SECONDS) as cluster:
        registration = cluster[SERVICE_NAME]
        entry = registration.register_entry(email)
        try:
            registration.register_entry(email)
        except EmailAlreadyRegistered as error:
            return entry, f"{type(error).__module__}.{type(error).__name__}"
        except Exception as error:  # reported, so the test says what came back instead
            return entry, f"{type(error).__module__}.{type(error).__name__}: {error}"
        return entry, None


def event_about(email):
    try:
        while True:
            payload = received.get(timeout=EVENT_WAIT_SECONDS)
            if payload.get("email") == email:
                return payload
    except Empty:
        return None


def main(amqp_uri, email):
    config = {"AMQP_URI": amqp_uri}
    container = ServiceContainer(ContractSubscriber, config)
    container.start()  # its queue is bound before the first registration is made
    try:
        entry, second_call_raised = register_twice(config, email)
        event = event_about(entry["email"])
    finally:
        container.stop()
    print(json.dumps({"entry": entry, "second_call_raised": second_call_raised, "event": event}))


if __name__ == "__main__":
    main(*sys.argv[1:])
