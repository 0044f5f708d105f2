"""Test helpers for the welcome-mail subscriber: a real SMTP server, events published as the
contract says, and the service as deployed or renamed."""
