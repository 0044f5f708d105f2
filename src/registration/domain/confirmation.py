from dataclasses import dataclass
from datetime import timedelta

DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ConfirmationPolicy:
    """How long an address waits for its owner's confirmation, and how often it is asked.

    An inbox gets at most `mails_per_day` confirmation mails in any 24 hours (the first and two
    re-sends), never two within `resend_interval`, whatever the number of sign-ups.
    """

    ttl: timedelta
    resend_interval: timedelta
    mails_per_day: int = 3
