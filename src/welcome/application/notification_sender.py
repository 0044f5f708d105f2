"""Port: hands a composed message to whatever delivers it."""

from abc import ABC, abstractmethod

from welcome.domain.mail import Mail


class NotificationSender(ABC):
    @abstractmethod
    def send(self, message: Mail) -> None:
        """Return once the message is accepted for delivery; raise NotificationFailed if not."""
