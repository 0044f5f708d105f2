"""Implementations of the core's ports: SMTP and logging senders, the SQL inbox, metrics."""
