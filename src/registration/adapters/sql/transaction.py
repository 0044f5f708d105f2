"""The general write: any change set in one transaction, through SQLAlchemy Core.

Every dialect and every shape of use case goes this way; on PostgreSQL a single registration
takes the group commit instead (`postgres/fast_writes.py`), an optimisation of that one shape.
"""

import sqlalchemy as sa

from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.entry_update import update_entry
from registration.adapters.sql.erasure import erase_entries
from registration.adapters.sql.schema import entries, entry_row, outbox, outbox_row


def write_in_one_transaction(connection: sa.Connection, changes: ChangeSet) -> None:
    # Erasures first: an event staged about an erased entry (its EntryErased) must survive them.
    if changes.erased_entries:
        erase_entries(connection, changes.erased_entries)
    for entry in changes.updated_entries:
        update_entry(connection, entry)
    if changes.entries:
        connection.execute(entries.insert(), [entry_row(e) for e in changes.entries])
    if changes.outbox:
        connection.execute(outbox.insert(), [outbox_row(m) for m in changes.outbox])
