"""Addresses are personal data: logs and error texts only ever show them masked."""

import re

# Deliberately loose: masking something that merely looks like an address is harmless.
_ADDRESS = re.compile(r"[^\s<>()\[\],;:\"'@]+@[^\s<>()\[\],;:\"'@]+")


def mask_address(address: str) -> str:
    """`alice@example.com` -> `a***@example.com`: enough to tell mails apart, not to read one."""
    local, at, domain = address.rpartition("@")
    if not at:
        return "***"
    if local.endswith("***"):  # masked already: a second pass must not mask the mask
        return address
    return f"{local[:1]}***@{domain}"


def mask_addresses_in(text: str) -> str:
    """Mask every address-like token in a free text, e.g. an SMTP server's error reply."""
    return _ADDRESS.sub(lambda match: mask_address(match.group(0)), text)
