"""The mailing use cases with fakes: one mail per event, none for a duplicate or an erased entry,
errors propagate."""

from datetime import UTC, datetime

import pytest

from welcome.application.ask_to_confirm import ask_to_confirm
from welcome.application.errors import NotificationFailed
from welcome.application.forget_erased_entry import ErasureOutcome, forget_erased_entry
from welcome.application.inbox import Inbox, InboxTransaction
from welcome.application.notification_sender import NotificationSender
from welcome.application.send_once import MailOutcome
from welcome.application.welcome_new_registration import welcome_new_registration
from welcome.domain.confirmation_notice import ConfirmationNotice
from welcome.domain.erasure_notice import ErasureNotice
from welcome.domain.mail import Mail
from welcome.domain.registration_notice import RegistrationNotice

pytestmark = pytest.mark.unit


class RecordingSender(NotificationSender):
    def __init__(self, failures: int = 0) -> None:
        self.sent: list[Mail] = []
        self._failures_left = failures

    def send(self, message: Mail) -> None:
        if self._failures_left > 0:
            self._failures_left -= 1
            raise NotificationFailed("mail server unavailable")
        self.sent.append(message)


class InMemoryInbox(Inbox):
    def __init__(self) -> None:
        self.processed: set[str] = set()
        self.erased: set[str] = set()

    def begin(self) -> InboxTransaction:
        return InMemoryInboxTransaction(self.processed, self.erased)


class InMemoryInboxTransaction(InboxTransaction):
    def __init__(self, processed: set[str], erased: set[str]) -> None:
        self._processed = processed
        self._erased = erased
        self._pending: set[str] = set()
        self._pending_erased: set[str] = set()

    def record_processed(self, event_id: str) -> bool:
        if event_id in self._processed or event_id in self._pending:
            return False
        self._pending.add(event_id)
        return True

    def record_erased(self, entry_id: str) -> None:
        self._pending_erased.add(entry_id)

    def is_erased(self, entry_id: str) -> bool:
        return entry_id in self._erased or entry_id in self._pending_erased

    def commit(self) -> None:
        self._processed |= self._pending
        self._erased |= self._pending_erased
        self.rollback()

    def rollback(self) -> None:
        self._pending = set()
        self._pending_erased = set()


def a_notice(event_id: str = "e-1", email: str = "alice@example.com") -> RegistrationNotice:
    return RegistrationNotice(
        event_id=event_id,
        entry_id="entry-1",
        email=email,
        registered_at=datetime(2026, 11, 29, 0, 41, 7, tzinfo=UTC),
        request_id="req-1",
    )


def test_a_new_registration_gets_one_welcome_mail_to_its_address():
    inbox, sender = InMemoryInbox(), RecordingSender()

    outcome = welcome_new_registration(a_notice(), inbox, sender)

    assert outcome is MailOutcome.SENT
    assert [message.recipient for message in sender.sent] == ["alice@example.com"]
    assert inbox.processed == {"e-1"}


def test_the_same_event_delivered_twice_sends_one_mail():
    inbox, sender = InMemoryInbox(), RecordingSender()

    welcome_new_registration(a_notice(), inbox, sender)
    second = welcome_new_registration(a_notice(), inbox, sender)

    assert second is MailOutcome.DUPLICATE
    assert len(sender.sent) == 1


def test_two_events_for_the_same_address_are_both_welcomed():
    inbox, sender = InMemoryInbox(), RecordingSender()

    welcome_new_registration(a_notice("e-1"), inbox, sender)
    welcome_new_registration(a_notice("e-2"), inbox, sender)

    assert len(sender.sent) == 2


def test_a_failed_send_propagates_and_leaves_the_event_unprocessed():
    inbox, sender = InMemoryInbox(), RecordingSender(failures=1)

    with pytest.raises(NotificationFailed):
        welcome_new_registration(a_notice(), inbox, sender)

    assert inbox.processed == set()
    assert sender.sent == []


def test_a_retry_after_a_failed_send_sends_the_mail():
    inbox, sender = InMemoryInbox(), RecordingSender(failures=1)
    with pytest.raises(NotificationFailed):
        welcome_new_registration(a_notice(), inbox, sender)

    outcome = welcome_new_registration(a_notice(), inbox, sender)

    assert outcome is MailOutcome.SENT
    assert len(sender.sent) == 1


def test_the_mail_carries_the_event_and_request_ids_for_tracing():
    sender = RecordingSender()

    welcome_new_registration(a_notice("e-9"), InMemoryInbox(), sender)

    assert (sender.sent[0].event_id, sender.sent[0].request_id) == ("e-9", "req-1")


def an_erasure(event_id: str = "x-1", entry_id: str = "entry-1") -> ErasureNotice:
    return ErasureNotice(event_id=event_id, entry_id=entry_id, request_id="req-2")


def test_an_erasure_is_remembered_by_entry_id_only():
    inbox = InMemoryInbox()

    outcome = forget_erased_entry(an_erasure(), inbox)

    assert outcome is ErasureOutcome.FORGOTTEN
    assert inbox.erased == {"entry-1"}
    assert inbox.processed == {"x-1"}


def test_the_same_erasure_delivered_twice_is_a_duplicate():
    inbox = InMemoryInbox()
    forget_erased_entry(an_erasure(), inbox)

    assert forget_erased_entry(an_erasure(), inbox) is ErasureOutcome.DUPLICATE


def test_a_registration_erased_before_its_welcome_gets_no_mail():
    inbox, sender = InMemoryInbox(), RecordingSender()
    forget_erased_entry(an_erasure(entry_id="entry-1"), inbox)

    outcome = welcome_new_registration(a_notice(), inbox, sender)

    assert outcome is MailOutcome.ERASED
    assert sender.sent == []
    assert "e-1" in inbox.processed  # a redelivery is a duplicate, not a second look


def a_confirmation_request(event_id: str = "c-1") -> ConfirmationNotice:
    return ConfirmationNotice(
        event_id=event_id,
        entry_id="entry-1",
        email="alice@example.com",
        confirm_url="https://signup.example.org/confirm/t0ken",
        erase_url="https://signup.example.org/erase/t0ken",
        expires_at=datetime(2026, 12, 1, 0, 41, 7, tzinfo=UTC),
    )


def test_a_confirmation_request_mails_its_links_once():
    inbox, sender = InMemoryInbox(), RecordingSender()

    first = ask_to_confirm(a_confirmation_request(), inbox, sender)
    again = ask_to_confirm(a_confirmation_request(), inbox, sender)

    assert (first, again) == (MailOutcome.SENT, MailOutcome.DUPLICATE)
    (mail,) = sender.sent
    assert mail.recipient == "alice@example.com"
    assert "https://signup.example.org/confirm/t0ken" in mail.body
    assert mail.erase_url == "https://signup.example.org/erase/t0ken"


def test_a_resent_confirmation_request_is_mailed_again():
    inbox, sender = InMemoryInbox(), RecordingSender()

    ask_to_confirm(a_confirmation_request("c-1"), inbox, sender)
    ask_to_confirm(a_confirmation_request("c-2"), inbox, sender)

    assert len(sender.sent) == 2


def test_an_entry_erased_before_its_confirmation_mail_gets_none():
    inbox, sender = InMemoryInbox(), RecordingSender()
    forget_erased_entry(an_erasure(entry_id="entry-1"), inbox)

    assert ask_to_confirm(a_confirmation_request(), inbox, sender) is MailOutcome.ERASED
    assert sender.sent == []
