"""Port: hands a composed message to whatever delivers it."""

from abc import ABC, abstractmethod

from welcome.domain.welcome_message import WelcomeMessage


class NotificationSender(ABC):
    @abstractmethod
    def send(self, message: WelcomeMessage) -> None:
        """Return once the message is accepted for delivery; raise NotificationFailed if not."""
