"""Use case: ask the owner of a registered address to confirm it, once per request."""

from welcome.application.inbox import Inbox
from welcome.application.notification_sender import NotificationSender
from welcome.application.send_once import MailOutcome, send_once
from welcome.domain.confirmation_message import compose_confirmation
from welcome.domain.confirmation_notice import ConfirmationNotice


def ask_to_confirm(
    notice: ConfirmationNotice, inbox: Inbox, sender: NotificationSender
) -> MailOutcome:
    return send_once(notice.entry_id, compose_confirmation(notice), inbox, sender)
