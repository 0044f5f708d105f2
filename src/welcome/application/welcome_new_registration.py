"""Use case: welcome a confirmed registration, once per event."""

from welcome.application.inbox import Inbox
from welcome.application.notification_sender import NotificationSender
from welcome.application.send_once import MailOutcome, send_once
from welcome.domain.registration_notice import RegistrationNotice
from welcome.domain.welcome_message import compose_welcome


def welcome_new_registration(
    notice: RegistrationNotice, inbox: Inbox, sender: NotificationSender
) -> MailOutcome:
    return send_once(notice.entry_id, compose_welcome(notice), inbox, sender)
