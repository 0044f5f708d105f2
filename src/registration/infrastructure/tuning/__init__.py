"""Process-wide tuning, applied once the service has started (`tune_started_process`): what it
changes is how fast, never what. Figures are in the README's Performance section."""

from registration.infrastructure.tuning.address_checks import memoize_domain_checks
from registration.infrastructure.tuning.garbage_collection import freeze_what_startup_built


def tune_started_process() -> None:
    memoize_domain_checks()
    freeze_what_startup_built()
