"""email-validator's check of an address's domain (IDNA/UTS-46) is most of the time an address
check takes, and real traffic repeats a few domains endlessly. The check is a pure function of
its arguments and its result is only read, so it is memoized; an invalid domain raises and is not
cached. What `Email.parse` accepts is unchanged."""

import functools
import importlib
from typing import Any

# The package re-exports the function under its module's name, hence import_module.
_implementation: Any = importlib.import_module("email_validator.validate_email")


def memoize_domain_checks() -> None:
    check = _implementation.validate_email_domain_name
    if not hasattr(check, "cache_info"):
        _implementation.validate_email_domain_name = functools.lru_cache(maxsize=4096)(check)
