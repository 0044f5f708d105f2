"""NotificationSender that hands the mail to an SMTP server (one connection per mail)."""

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate

from service_kit.address_masking import mask_addresses
from welcome.application.errors import NotificationFailed
from welcome.application.notification_sender import NotificationSender
from welcome.domain.mail import Mail


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    from_address: str
    timeout_seconds: float = 10.0
    starttls: bool = False
    username: str | None = None
    # kept out of repr so the settings can be logged
    password: str | None = field(default=None, repr=False)


class SmtpNotificationSender(NotificationSender):
    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    def send(self, message: Mail) -> None:
        mail = self._to_email(message)
        settings = self._settings
        try:
            with smtplib.SMTP(
                settings.host, settings.port, timeout=settings.timeout_seconds
            ) as smtp:
                if settings.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.username:
                    smtp.login(settings.username, settings.password or "")
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            # `from None`: the original exception can quote the recipient, and it would be
            # printed with the traceback of every log line about this failure.
            raise NotificationFailed(_describe(exc)) from None

    def _to_email(self, message: Mail) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self._settings.from_address
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False, usegmt=True)
        # Stable per event, so a mail sent twice in the at-least-once window can be spotted.
        sender_domain = self._settings.from_address.rpartition("@")[2] or "localhost"
        mail["Message-ID"] = f"<{message.event_id}@{sender_domain}>"
        if message.erase_url:
            # One-click unsubscribe (RFC 8058): the mail client POSTs
            # `List-Unsubscribe=One-Click` to the link, which erases the entry. Mailbox providers
            # honour it only on DKIM-signed mail: signing is the outgoing mail server's job.
            mail["List-Unsubscribe"] = f"<{message.erase_url}>"
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        # No tracing header: the request id stays in the logs, nothing internal reaches an inbox.
        mail.set_content(message.body)
        return mail


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = "; ".join(f"{code} {_text(reply)}" for code, reply in exc.recipients.values())
        detail = f"recipient refused: {replies}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        detail = f"{exc.smtp_code} {_text(exc.smtp_error)}"
    else:
        detail = str(exc)
    return mask_addresses(f"SMTP delivery failed ({type(exc).__name__}): {detail}")


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
