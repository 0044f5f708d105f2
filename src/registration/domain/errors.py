class DomainError(Exception):
    """A rule of the domain was broken; the message is safe to show to a client."""


class InvalidEmail(DomainError):
    pass


class EmailAlreadyRegistered(DomainError):
    pass
