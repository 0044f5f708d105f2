"""Use case: welcome a new registration exactly once per event, as far as the store can tell."""

from enum import Enum

from welcome.application.inbox import Inbox
from welcome.application.notification_sender import NotificationSender
from welcome.domain.registration_notice import RegistrationNotice
from welcome.domain.welcome_message import compose_welcome


class WelcomeOutcome(Enum):
    WELCOMED = "welcomed"
    DUPLICATE = "duplicate"
    ERASED = "erased"  # the entry was erased before its welcome: no mail to that address


def welcome_new_registration(
    notice: RegistrationNotice, inbox: Inbox, sender: NotificationSender
) -> WelcomeOutcome:
    """Send the welcome mail unless this event was already processed.

    The inbox record and the send share one transaction, committed only after the send
    succeeded: a failed send leaves no record, so a retry sends again. What remains is the
    at-least-once window: a crash after the mail server accepted but before the commit sends the
    mail again on redelivery (the mail's Message-ID is derived from the event id for that case).
    """
    with inbox.begin() as transaction:
        if not transaction.record_processed(notice.event_id):
            return WelcomeOutcome.DUPLICATE
        if transaction.is_erased(notice.entry_id):
            transaction.commit()
            return WelcomeOutcome.ERASED
        sender.send(compose_welcome(notice))
        transaction.commit()
    return WelcomeOutcome.WELCOMED
