import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from registration.domain.errors import InvalidEmail

# RFC 5321 caps a path at 256 octets (254 for the address); the raw input may carry surrounding
# white space, so allow a little more before even trying to parse it.
MAX_INPUT_LENGTH = 320


@dataclass(frozen=True, slots=True)
class Email:
    """A syntactically valid address in its normalized form.

    `key` is what makes two addresses the same registration: the normalized form, case-folded.
    """

    value: str

    @property
    def key(self) -> str:
        return self.value.casefold()

    @classmethod
    def parse(cls, raw: str) -> "Email":
        candidate = raw.strip()
        if not candidate:
            raise InvalidEmail("The email address is empty.")
        if len(candidate) > MAX_INPUT_LENGTH:
            raise InvalidEmail("The email address is too long.")
        if _has_control_characters(candidate):
            raise InvalidEmail("The email address contains control characters.")
        try:
            # Syntax only (a DNS look-up per request would make registration slow and flaky);
            # strict adds RFC 5321's 64-octet limit on the local part.
            validated = validate_email(
                candidate, check_deliverability=False, allow_smtputf8=True, strict=True
            )
        except EmailNotValidError as error:
            raise InvalidEmail(str(error)) from None
        return cls(validated.normalized)

    def __str__(self) -> str:
        return self.value


def _has_control_characters(text: str) -> bool:
    # ASCII has no format characters, and its only unprintable ones are its controls: one C-level
    # call for almost every address, the per-character look-up only for the others.
    if text.isascii():
        return not text.isprintable()
    return any(unicodedata.category(char) in ("Cc", "Cf") for char in text)
