"""The welcome mail, composed from a registration notice."""

from dataclasses import dataclass

from welcome.domain.registration_notice import RegistrationNotice

WELCOME_SUBJECT = "Welcome aboard"


@dataclass(frozen=True)
class WelcomeMessage:
    """One mail to one recipient; `event_id` and `request_id` say which registration caused it."""

    recipient: str
    subject: str
    body: str
    event_id: str
    request_id: str | None = None


def compose_welcome(notice: RegistrationNotice) -> WelcomeMessage:
    registered_on = notice.registered_at.date().isoformat()
    body = (
        "Hello,\n"
        "\n"
        f"thank you for registering on {registered_on}. Your registration number is "
        f"{notice.entry_id}.\n"
        "\n"
        "If you did not register, you can ignore this message.\n"
    )
    return WelcomeMessage(
        recipient=notice.email,
        subject=WELCOME_SUBJECT,
        body=body,
        event_id=notice.event_id,
        request_id=notice.request_id,
    )
