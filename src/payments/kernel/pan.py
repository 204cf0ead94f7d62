"""Primary account numbers (card numbers): find them so they are never stored or logged.

A PAN here is a Luhn-valid run of 12 to 19 digits, either unbroken or grouped
the way cards are printed (4-4-4-4[-3], 4-6-5), with spaces or dashes. Other
groupings (phone numbers, IBANs, dates) are not taken for card numbers. :func:`redact_pans` replaces each with a marker
keeping only the last four digits.
"""

from __future__ import annotations

import re

_CANDIDATE = re.compile(
    r"(?<![\d])(?:\d{12,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{4}(?:[ -]?\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{5})(?![\d])"
)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def find_pans(text: str) -> list[str]:
    """Every Luhn-valid 12-19 digit number in ``text``, digits only."""
    found = []
    for match in _CANDIDATE.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if 12 <= len(digits) <= 19 and luhn_valid(digits):
            found.append(digits)
    return found


def redact_pans(text: str) -> str:
    def _sub(match: re.Match[str]) -> str:
        digits = re.sub(r"[ -]", "", match.group())
        if 12 <= len(digits) <= 19 and luhn_valid(digits):
            return f"[PAN ****{digits[-4:]}]"
        return match.group()

    return _CANDIDATE.sub(_sub, text)


def pans_in(body: bytes) -> list[str]:
    """Card numbers anywhere in a request body (JSON strings or numbers alike)."""
    return find_pans(body.decode("utf-8", errors="replace"))
