"""ISO 11649 RF creditor references: what a customer types as the remittance
information of a bank transfer, so that it is matched to its invoice.

``RF`` + two check digits (ISO 7064 MOD 97-10) + up to 21 letters and digits taken
from the invoice number (``DE1-2026-000123`` -> ``RF07DE12026000123``).
"""

from __future__ import annotations

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

MAX_REFERENCE = 21


def creditor_reference(number: str) -> str:
    """The RF creditor reference of a document number (its letters and digits)."""
    body = "".join(ch for ch in number.upper() if ch.isascii() and ch.isalnum())
    if not body:
        raise ValueError("a creditor reference needs letters or digits")
    body = body[-MAX_REFERENCE:]  # the sequence number is at the end: keep it
    check = mod_97_10.calc_check_digits(body + "RF")
    return str(iso11649.validate("RF" + check + body))


def printed(reference: str) -> str:
    """Grouped in fours for print (``RF07 DE12 0260 0012 3``)."""
    return str(iso11649.format(reference))
