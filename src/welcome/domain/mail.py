"""A mail the subscriber writes: to one recipient, caused by one event."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Mail:
    """`event_id` and `request_id` say which event caused it (the first also makes the mail's
    Message-ID); `erase_url` is the recipient's own one-click erasure link, offered in the body
    and as the mail's List-Unsubscribe (RFC 8058)."""

    recipient: str
    subject: str
    body: str
    event_id: str
    erase_url: str | None = None
    request_id: str | None = None
