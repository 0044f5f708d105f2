import pytest

from registration.domain.email import Email
from registration.domain.errors import InvalidEmail
from registration.infrastructure.tuning.address_checks import (
    _implementation,
    memoize_domain_checks,
)

pytestmark = pytest.mark.unit


def test_memoized_domain_checks_accept_and_refuse_the_same_addresses():
    memoize_domain_checks()
    memoize_domain_checks()  # once is enough; a second call wraps nothing again

    check = _implementation.validate_email_domain_name
    assert check.__wrapped__ is not None and not hasattr(check.__wrapped__, "cache_info")
    assert Email.parse("Ada@Example.COM").value == "Ada@example.com"
    assert Email.parse("bob@Example.COM").value == "bob@example.com"  # the same domain again
    with pytest.raises(InvalidEmail):
        Email.parse("ada@-example.com")
    with pytest.raises(InvalidEmail):
        Email.parse("ada@-example.com")  # an invalid domain raises every time, never cached
    assert check.cache_info().hits >= 1
