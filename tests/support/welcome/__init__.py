"""Test helpers for the welcome-mail subscriber: a real SMTP server, AMQP publishing and reading."""
