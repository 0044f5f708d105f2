"""Use case: honour an erasure once per event, and make sure the entry is never welcomed after."""

from enum import Enum

from welcome.application.inbox import Inbox
from welcome.domain.erasure_notice import ErasureNotice


class ErasureOutcome(Enum):
    FORGOTTEN = "forgotten"
    DUPLICATE = "duplicate"


def forget_erased_entry(notice: ErasureNotice, inbox: Inbox) -> ErasureOutcome:
    """The inbox keeps event ids, never an address: what it must hold after an erasure is the
    erased entry's id, so that a RegisteredEntryEvent for it still on its way (a retry, a
    re-driven dead letter) sends no mail to the erased address."""
    with inbox.begin() as transaction:
        if not transaction.record_processed(notice.event_id):
            return ErasureOutcome.DUPLICATE
        transaction.record_erased(notice.entry_id)
        transaction.commit()
    return ErasureOutcome.FORGOTTEN
