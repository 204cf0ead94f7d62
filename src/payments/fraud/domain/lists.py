"""Value lists: what an item of each type must look like, and which rule attributes a
list of each type may be matched against."""

from __future__ import annotations

import ipaddress
import re

from payments.fraud.domain.model import ItemType

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_FINGERPRINT = re.compile(r"^[A-Za-z0-9_-]{6,100}$")
_CUSTOMER = re.compile(r"^cus_[A-Za-z0-9]{1,60}$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
ALIAS = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")

# The attribute a list of each type is matched against (string lists: any attribute).
ATTRIBUTES_FOR: dict[ItemType, frozenset[str]] = {
    ItemType.card_fingerprint: frozenset({"card_fingerprint"}),
    ItemType.email: frozenset({"customer_email"}),
    ItemType.ip_address: frozenset({"ip_address"}),
    ItemType.customer_id: frozenset({"customer"}),
    ItemType.sepa_debit_fingerprint: frozenset({"sepa_debit_fingerprint"}),
    # an IBAN list is checked and kept, but no attribute holds an IBAN: the service sees a
    # debit's fingerprint only (match those with a sepa_debit_fingerprint list)
    ItemType.iban: frozenset(),
    ItemType.country: frozenset({"card_country", "ip_country", "shop_country"}),
}


class InvalidItem(ValueError):
    pass


def _iban_ok(value: str) -> bool:
    """ISO 13616: two letters, two check digits, up to 30 alphanumerics; mod 97 == 1."""
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}", value):
        return False
    moved = value[4:] + value[:4]
    digits = "".join(str(int(ch, 36)) for ch in moved)
    return int(digits) % 97 == 1


def normalize_item(item_type: ItemType, value: str) -> str:
    """The item's stored form, or :class:`InvalidItem` saying what is wrong."""
    raw = value.strip()
    if not raw:
        raise InvalidItem("The value is empty")
    match item_type:
        case ItemType.email:
            if not _EMAIL.match(raw):
                raise InvalidItem(f"{value!r} is not an e-mail address")
            return raw.lower()
        case ItemType.ip_address:
            try:
                return str(ipaddress.ip_address(raw))
            except ValueError:
                raise InvalidItem(f"{value!r} is not an IP address") from None
        case ItemType.card_fingerprint | ItemType.sepa_debit_fingerprint:
            if not _FINGERPRINT.match(raw):
                raise InvalidItem(f"{value!r} is not a card fingerprint")
            return raw
        case ItemType.customer_id:
            if not _CUSTOMER.match(raw):
                raise InvalidItem(f"{value!r} is not a customer id (cus_...)")
            return raw
        case ItemType.iban:
            compact = re.sub(r"\s+", "", raw).upper()
            if not _iban_ok(compact):
                raise InvalidItem(f"{value!r} is not a valid IBAN")
            return compact
        case ItemType.country:
            if not _COUNTRY.match(raw):
                raise InvalidItem(f"{value!r} is not a two-letter country code")
            return raw.upper()
    if len(raw) > 800:
        raise InvalidItem("The value is longer than 800 characters")
    return raw


# Where the value of a list item taken from a charge comes from: the assessment's
# attribute of the list's type (none for string and IBAN lists).
ATTRIBUTE_OF_CHARGE: dict[ItemType, str] = {
    ItemType.card_fingerprint: "card_fingerprint",
    ItemType.email: "customer_email",
    ItemType.ip_address: "ip_address",
    ItemType.customer_id: "customer",
    ItemType.country: "card_country",
    ItemType.sepa_debit_fingerprint: "sepa_debit_fingerprint",
}
