"""Payment links: an unguessable, expiring URL that lets a customer pay one invoice on the
hosted pay page (``GET /pay/{token}``).

The token is shown once, in the link's ``url`` when it is created; only its SHA-256
hash is stored (as API keys are), so the database alone cannot pay anything. A link is
scoped to one invoice and carries ``amount``: the most it may collect (for an invoice
link, what the invoice owed when the link was made; for a link to one share of the
invoice's payment plan, ``share``, what that share owed). What a payment through it
charges is the smaller of ``amount`` and what the invoice (or the share) still owes; a
share's payment is the share payer's, applied to that share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from payments.kernel.tokens import hash_token as hash_token  # re-exported
from payments.kernel.tokens import new_token as new_token

DEFAULT_LIFETIME = timedelta(days=30)
MAX_LIFETIME = timedelta(days=180)


@dataclass(slots=True, kw_only=True)
class PaymentLink:
    id: str
    invoice_id: str
    location_id: str
    customer_id: str
    currency: str
    amount: int  # the most this link may collect, minor units
    token_hash: str
    expires_at: datetime
    created: datetime
    active: bool = True
    deactivated_at: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    livemode: bool = False
    # the last payment form submitted (its nonce) and the intent it confirmed: a double
    # submit of the same form answers with that intent instead of charging again
    last_nonce: str | None = None
    last_payment_intent_id: str | None = None
    # the payment plan share this link pays (None: the whole invoice)
    share_id: str | None = None


class Unusable(StrEnum):
    """Why a link cannot take a payment now."""

    DEACTIVATED = "deactivated"
    EXPIRED = "expired"


def unusable(link: PaymentLink, now: datetime) -> Unusable | None:
    if not link.active:
        return Unusable.DEACTIVATED
    if now >= link.expires_at:
        return Unusable.EXPIRED
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePaymentLink:
    invoice: str
    share: str | None = None
    expires_at: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListPaymentLinks:
    invoice: str | None = None
    active: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CardForm:
    """What the customer typed into the pay page's card form (test numbers only with the
    simulator; never stored, never logged)."""

    number: str = field(repr=False)
    exp_month: int
    exp_year: int
    cvc: str = field(repr=False)


class CardFormError(ValueError):
    """A field of the card form is not filled in as it must be (``field`` names it)."""

    def __init__(self, field_name: str, message_key: str) -> None:
        super().__init__(message_key)
        self.field = field_name
        self.message_key = message_key


def parse_card_form(number: str, expiry: str, cvc: str) -> CardForm:
    """The card form's fields as a person types them: spaces in the number, ``MM/YY``
    (or ``MM / YY``, ``MM/YYYY``) for the expiry."""
    digits = "".join(number.split())
    if not (12 <= len(digits) <= 19 and digits.isdigit()):
        raise CardFormError("number", "error_number")
    month_text, sep, year_text = expiry.replace(" ", "").partition("/")
    if not sep or not (month_text.isdigit() and year_text.isdigit()):
        raise CardFormError("expiry", "error_expiry")
    month, year = int(month_text), int(year_text)
    if len(year_text) == 2:
        year += 2000
    if not (1 <= month <= 12 and len(year_text) in (2, 4)):
        raise CardFormError("expiry", "error_expiry")
    code = cvc.strip()
    if not (3 <= len(code) <= 4 and code.isdigit()):
        raise CardFormError("cvc", "error_cvc")
    return CardForm(number=digits, exp_month=month, exp_year=year, cvc=code)


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalChoice:
    """A local payment method chosen on the page (``ideal``, ``twint``, ...): the
    customer authorizes it on their bank's or app's page."""

    type: str


def billing_details(
    required: tuple[str, ...], name: str | None, email: str | None, country: str | None
) -> dict[str, object] | None:
    """The billing details a local method asks for (``name``, ``email``,
    ``address.country``), taken from the invoice's customer; None when one is missing."""
    given: dict[str, object] = {}
    for detail in required:
        if detail == "name" and name:
            given["name"] = name
        elif detail == "email" and email:
            given["email"] = email
        elif detail == "address.country" and country:
            given["address"] = {"country": country}
        else:
            return None
    return given


#: The languages the pay page speaks.
PAGE_LANGUAGES = ("en", "de")


def page_language(preferred: list[str], accept_language: str | None, fallback: str) -> str:
    """The customer's first preferred locale the page speaks, else the browser's
    (``Accept-Language``, by quality), else the invoice's language, else English."""
    for tag in preferred:
        primary = tag.replace("_", "-").split("-", 1)[0].lower()
        if primary in PAGE_LANGUAGES:
            return primary
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().split("-", 1)[0].lower()
        if primary in PAGE_LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    if ranked:
        return sorted(ranked)[0][2]
    return fallback if fallback in PAGE_LANGUAGES else "en"
