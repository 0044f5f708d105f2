import pytest
from hypothesis import given
from hypothesis import strategies as st

from registration.domain.email import Email
from registration.domain.errors import InvalidEmail

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("someone@example.com", "someone@example.com"),
        ("  Someone@EXAMPLE.com\t", "Someone@example.com"),
        ("Zoë@example.com", "Zoë@example.com"),
        ("用户@例子.广告", "用户@例子.广告"),
        ("first.last+tag@sub.example.org", "first.last+tag@sub.example.org"),
    ],
)
def test_valid_addresses_are_accepted_in_normalized_form(raw, normalized):
    assert Email.parse(raw).value == normalized


def test_addresses_that_differ_only_in_case_share_one_key():
    assert Email.parse("Someone@Example.com").key == Email.parse("someone@EXAMPLE.COM").key


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "plainaddress",
        "@example.com",
        "someone@",
        "some one@example.com",
        "someone@example..com",
        "someone@example.com\x00",
        "some\u200bone@example.com",
        "someone\n@example.com",
        "a" * 65 + "@example.com",
        "someone@" + "a" * 250 + ".com",
        "x" * 5000,
    ],
)
def test_invalid_addresses_are_rejected(raw):
    with pytest.raises(InvalidEmail):
        Email.parse(raw)


@given(st.text(max_size=400))
def test_any_text_is_either_an_address_or_invalid_email(raw):
    try:
        email = Email.parse(raw)
    except InvalidEmail:
        return
    assert Email.parse(email.value) == email
