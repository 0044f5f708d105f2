"""The one address masker both services use: in log lines and in the subscriber's error texts."""

import pytest

from service_kit.address_masking import mask_address, mask_addresses

pytestmark = pytest.mark.unit


def test_a_masked_address_keeps_the_first_letter_and_the_domain_only():
    assert mask_address("alice@example.com") == "a***@example.com"


def test_something_without_an_at_sign_is_masked_entirely():
    assert mask_address("alice") == "***"


def test_a_masked_address_is_left_as_it_is():
    assert mask_address("a***@example.com") == "a***@example.com"


def test_addresses_inside_an_smtp_reply_are_masked():
    text = "550 5.1.1 <bob.smith@example.org>: Recipient address rejected"

    masked = mask_addresses(text)

    assert "bob.smith@example.org" not in masked
    assert "b***@example.org" in masked
    assert masked.startswith("550 5.1.1 <")


def test_a_quoted_local_part_with_a_space_is_masked_whole():
    masked = mask_addresses('550 <"john doe"@example.com> unknown')

    assert masked == "550 <j***@example.com> unknown"
