"""What the fault tests raise when a registration answered 503 left a trace anyway."""


class AnnouncedAfter503(AssertionError):
    """An event went out for a registration that was answered 503."""
