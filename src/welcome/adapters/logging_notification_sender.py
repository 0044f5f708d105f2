"""NotificationSender that only logs (NOTIFIER=log): for development and demos, not delivery."""

import logging

from service_kit.address_masking import mask_address
from welcome.application.notification_sender import NotificationSender
from welcome.domain.mail import Mail
from welcome.event_log import EventLog

_log = logging.getLogger(__name__)


class LoggingNotificationSender(NotificationSender):
    def __init__(self, logger: logging.Logger = _log) -> None:
        self._logger = logger

    def send(self, message: Mail) -> None:
        EventLog(self._logger, message.event_id, message.request_id).info(
            "mail logged instead of sent: to=%s subject=%r",
            mask_address(message.recipient),
            message.subject,
        )
