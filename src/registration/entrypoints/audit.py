"""The audit trail of operator access to personal data: one line per lookup, read and erasure,
naming who asked and the entry, never the address (the trail outlives the erasures it records).

Its logger, `registration.audit`, is the one to ship to where audit records are kept.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from registration.domain.errors import CoreError

log = logging.getLogger("registration.audit")


@dataclass
class AuditRecord:
    entry_id: Any = None  # set by the block once it knows it (a lookup by address)


@contextmanager
def audited(action: str, actor: str, entry_id: Any = None) -> Iterator[AuditRecord]:
    """Writes one audit line for the block: its outcome, or the error it ended with."""
    record = AuditRecord(entry_id)
    try:
        yield record
    except CoreError as error:
        _write(action, actor, record.entry_id, error.outcome)
        raise
    except Exception:
        _write(action, actor, record.entry_id, "error")
        raise
    _write(action, actor, record.entry_id, "done")


def _write(action: str, actor: str, entry_id: Any, outcome: str) -> None:
    log.info(
        "audit: %s by %s, entry %s: %s",
        action,
        actor,
        entry_id or "-",
        outcome,
        extra={"audit_action": action, "actor": actor, "entry_id": entry_id, "outcome": outcome},
    )
