"""The transactional outbox: events stored with the entry, then relayed to the broker."""
