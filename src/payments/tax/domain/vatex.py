"""VATEX exemption reason codes (CEF code list used by EN 16931 BT-121)."""

from __future__ import annotations

import re

from payments.kernel.errors import InvalidRequest
from payments.tax.domain.model import CategoryCode

#: The code a category implies where there is one legal basis (BR-AE/IC/G/O-10).
IMPLIED: dict[CategoryCode, str] = {
    CategoryCode.REVERSE_CHARGE: "VATEX-EU-AE",
    CategoryCode.INTRA_COMMUNITY: "VATEX-EU-IC",
    CategoryCode.EXPORT: "VATEX-EU-G",
    CategoryCode.NOT_SUBJECT: "VATEX-EU-O",
}

# VATEX-EU-132, VATEX-EU-132-1A, VATEX-EU-143-1FA, VATEX-EU-148-A, VATEX-FR-FRANCHISE ...
_PATTERN = re.compile(r"^VATEX-[A-Z]{2}-[A-Z0-9]+(?:-[A-Z0-9]+)*$")


def check_vatex(code: str | None, *, param: str) -> str | None:
    """``code`` upper-cased if it has the shape of a VATEX code, else a 400 naming ``param``."""
    if code is None:
        return None
    upper = code.strip().upper()
    if not _PATTERN.fullmatch(upper) or len(upper) > 30:
        raise InvalidRequest(
            f"Invalid exemption reason code: {code!r} is not a VATEX code (e.g. VATEX-EU-132-1B)",
            param=param,
        )
    return upper
