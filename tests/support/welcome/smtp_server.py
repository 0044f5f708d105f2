"""A real SMTP server (aiosmtpd) on a free loopback port that records what it accepts."""

import email
import email.policy
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.support.ports import free_port


class RecordingSmtpServer:
    """Accepts mail and keeps it; `refuse_next(n, reply)` makes the next n mails fail."""

    def __init__(self, **controller_options) -> None:
        self.messages: list[EmailMessage] = []
        self.envelope_recipients: list[list[str]] = []
        self.refused = 0
        self._refusals_left = 0
        self._refusal_reply = "451 4.3.0 try again later"
        self.port = free_port()
        self._controller = Controller(
            self, hostname="127.0.0.1", port=self.port, **controller_options
        )

    def refuse_next(self, count: int, reply: str = "451 4.3.0 try again later") -> None:
        self._refusals_left = count
        self._refusal_reply = reply

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd hook
        if self._refusals_left > 0:
            self._refusals_left -= 1
            self.refused += 1
            return self._refusal_reply
        self.envelope_recipients.append(list(envelope.rcpt_tos))
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return "250 2.0.0 OK"

    def start(self) -> "RecordingSmtpServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def messages_to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    def wait_for_messages_to(self, address: str, count: int = 1, timeout: float = 15.0):
        """Bounded poll; returns what arrived (the caller asserts), never fails by itself."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages_to(address)) < count:
            time.sleep(0.05)
        return self.messages_to(address)
