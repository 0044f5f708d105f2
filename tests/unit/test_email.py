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


@pytest.mark.parametrize(
    "raw",
    [
        "some\x01one@example.com",  # ASCII control
        "someone@example.com\x7f",  # DEL
        "zoë\x85@example.com",  # C1 control, in an address that is not ASCII
        "zoë\u202e@example.com",  # format character (right-to-left override)
        "\u200bsomeone@example.com",  # zero-width space
    ],
)
def test_control_and_format_characters_are_named_as_such(raw):
    with pytest.raises(InvalidEmail, match="control characters"):
        Email.parse(raw)


@given(st.text(max_size=400))
def test_any_text_is_either_an_address_or_invalid_email(raw):
    try:
        email = Email.parse(raw)
    except InvalidEmail:
        return
    assert Email.parse(email.value) == email
