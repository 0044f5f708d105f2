"""The mail that asks the owner of an address to confirm a registration (double opt-in)."""

from datetime import UTC

from welcome.domain.confirmation_notice import ConfirmationNotice
from welcome.domain.mail import Mail

CONFIRMATION_SUBJECT = "Please confirm your registration"


def compose_confirmation(notice: ConfirmationNotice) -> Mail:
    # Written for someone who may never have asked: what happened, the one thing to do if they
    # did, and that doing nothing is safe if they did not.
    until = notice.expires_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = (
        "Hello,\n"
        "\n"
        "this address was given to register with us. If that was you, confirm it by opening"
        " this link and pressing the button on its page:\n"
        "\n"
        f"{notice.confirm_url}\n"
        "\n"
        f"The link works until {until}. If it was not you, there is nothing to do: an address"
        " nobody confirms is erased when its link expires. To have it erased at once:\n"
        f"{notice.erase_url}\n"
    )
    return Mail(
        recipient=notice.email,
        subject=CONFIRMATION_SUBJECT,
        body=body,
        event_id=notice.event_id,
        erase_url=notice.erase_url,
        request_id=notice.request_id,
    )
