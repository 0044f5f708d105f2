"""Helpers for tests of the registration service: a running container, its HTTP client, a
recorder of the events it publishes."""
