"""Helpers for tests of the registration service: in-memory fakes of its ports, the service in a
nameko container or as its own process, load on it, and readers of the events it publishes."""
