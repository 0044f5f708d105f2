from collections.abc import Callable
from datetime import datetime

# Returns the current time, timezone-aware in UTC.
Clock = Callable[[], datetime]
