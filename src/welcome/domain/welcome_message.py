"""The welcome mail, composed from a confirmed registration."""

from welcome.domain.mail import Mail
from welcome.domain.registration_notice import RegistrationNotice

WELCOME_SUBJECT = "Welcome aboard"


def compose_welcome(notice: RegistrationNotice) -> Mail:
    registered_on = notice.registered_at.date().isoformat()
    body = (
        "Hello,\n"
        "\n"
        f"thank you for confirming your registration on {registered_on}. Your registration"
        f" number is {notice.entry_id}.\n"
    )
    if notice.erase_url:
        body += f"\nTo cancel it and have your address erased:\n{notice.erase_url}\n"
    return Mail(
        recipient=notice.email,
        subject=WELCOME_SUBJECT,
        body=body,
        event_id=notice.event_id,
        erase_url=notice.erase_url,
        request_id=notice.request_id,
    )
