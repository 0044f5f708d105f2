"""PostgreSQL's fast paths, behind the same ports as the general SQL adapter.

Nothing here changes what is stored; each piece makes one shape cheaper and is chosen by the
adapter when the dialect is PostgreSQL:
- `fast_writes`: a single registration's change set goes through the group commit, where
  concurrent registrations share one prepared statement and one commit; every other shape
  takes the general transaction (`adapters/sql/transaction.py`).
- `outbox_claim`: the relay's claim as a prepared statement.
- `stale_connections`: pooled connections the server closed are replaced before use.
Their figures are in the README's Performance section.
"""
