"""How every mail of this service goes out: once per event, never to an erased entry."""

from enum import Enum

from welcome.application.inbox import Inbox
from welcome.application.notification_sender import NotificationSender
from welcome.domain.mail import Mail


class MailOutcome(Enum):
    SENT = "sent"
    DUPLICATE = "duplicate"
    ERASED = "erased"  # the entry was erased before this mail: none to that address


def send_once(entry_id: str, mail: Mail, inbox: Inbox, sender: NotificationSender) -> MailOutcome:
    """Send `mail` unless its event was already processed or its entry erased.

    The inbox record and the send share one transaction, committed only after the send
    succeeded: a failed send leaves no record, so a retry sends again. What remains is the
    at-least-once window: a crash after the mail server accepted but before the commit sends the
    mail again on redelivery (the mail's Message-ID is derived from the event id for that case).
    """
    with inbox.begin() as transaction:
        if not transaction.record_processed(mail.event_id):
            return MailOutcome.DUPLICATE
        if transaction.is_erased(entry_id):
            transaction.commit()
            return MailOutcome.ERASED
        sender.send(mail)
        transaction.commit()
    return MailOutcome.SENT
