"""Errors the core and its ports speak in."""


class WelcomeError(Exception):
    """Base of every error the welcome-mail subscriber raises on purpose."""


class NotificationFailed(WelcomeError):
    """The mail was not accepted for delivery; trying again later may succeed.

    Adapters raise it with a message that never holds an address in clear (it ends up in logs).
    """
