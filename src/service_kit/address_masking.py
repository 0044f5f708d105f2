"""Email addresses are personal data: logs and error texts show them masked, `a***@example.com`.

The one masker of both services: their log filter and the subscriber's error texts use it.
"""

import re

# Loose on purpose: masking something that merely looks like an address costs nothing. A quoted
# local part ("john doe"@example.com) may hold spaces.
_ADDRESS = re.compile(r"""(?:"[^"\r\n]*"|[^\s<>()\[\],;:"'@]+)@[^\s<>()\[\],;:"'@]+""")


def mask_address(address: str) -> str:
    """`alice@example.com` -> `a***@example.com`: enough to tell two apart, not to write to."""
    local, at, domain = address.rpartition("@")
    if not at:  # not an address at all: nothing of it is shown
        return "***"
    if local.endswith("***"):  # masked already: a second pass must not mask the mask
        return address
    first = local.strip('"')[:1]
    return f"{first}***@{domain}"


def mask_addresses(text: str) -> str:
    """Every address-like part of a free text masked, whatever its script."""
    return _ADDRESS.sub(lambda match: mask_address(match.group(0)), text)
