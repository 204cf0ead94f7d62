"""Which local payment methods a shop may offer: one table, by the shop's country and currency.

Cards (and the wallets that carry them, Apple Pay and Google Pay) work everywhere; SEPA
Direct Debit where the shop is in SEPA and charges euros; bank transfers
(``customer_balance``) everywhere. The local methods of :data:`LOCAL_METHODS` are bound to
their customers' country and currency. A shop's customers are taken to live in the shop's
own country (a repair shop serves its town), so a method fits a shop when the shop's
country is one of the method's customer countries and the payment's currency is one of
its currencies.

Every rule comes from Stripe's page of the method ("Payment method properties":
customer locations, presentment currency, manual capture support; the accept-a-payment
guide for the billing details Stripe asks for), cited in :attr:`LocalMethod.source`:

==========  =========================  ===============  =======  ======  ===============
type        customer countries         currencies       action   manual  billing details
==========  =========================  ===============  =======  ======  ===============
ideal       NL                         eur              redirect no      --
bancontact  BE                         eur              redirect no      name
eps         AT                         eur              redirect no      name
p24         PL                         eur, pln         redirect no      email
blik        PL                         pln              code     no      --
twint       CH                         chf              redirect no      --
swish       SE                         sek              app      no      --
klarna      EEA markets, GB, CH        the markets'     redirect yes     email, country
==========  =========================  ===============  =======  ======  ===============

Klarna: a business in the EEA, the UK or Switzerland may sell to Klarna's customers
across those markets when the currency is the customer's own; a shop in a Klarna market
may therefore take any of the markets' currencies, and offers Klarna by default in its
own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class CustomerAction(StrEnum):
    """How the customer authorizes the payment (the intent's ``next_action``)."""

    REDIRECT = "redirect_to_url"  # to the bank's (or Klarna's, TWINT's) page, then back
    BLIK_CODE = "blik_authorize"  # a code from the banking app, approved in the app
    SWISH_APP = "swish_handle_redirect_or_display_qr_code"  # the Swish app or a QR code


class Misfit(StrEnum):
    """Why a method does not fit a shop and a currency."""

    COUNTRY = "country"
    CURRENCY = "currency"


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalMethod:
    type: str  # Stripe's payment method type
    name: str  # as customers know it
    countries: frozenset[str]  # the customers' (= the shop's) countries, ISO 3166-1
    currencies: frozenset[str]  # ISO 4217, lower case
    action: CustomerAction
    manual_capture: bool  # whether capture_method=manual is supported
    billing_details: tuple[str, ...]  # required: "name", "email", "address.country"
    source: str  # where the rules above are written down

    @property
    def needs_return_url(self) -> bool:
        """Redirect methods send the customer away and back to a return_url."""
        return self.action is CustomerAction.REDIRECT

    def misfit(self, country: str, currency: str) -> Misfit | None:
        if country not in self.countries:
            return Misfit.COUNTRY
        if currency not in self.currencies:
            return Misfit.CURRENCY
        return None


# Klarna's customer countries in the EEA, the UK and Switzerland, with their currencies.
KLARNA_MARKETS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "AT": "eur",
        "BE": "eur",
        "CH": "chf",
        "CZ": "czk",
        "DE": "eur",
        "DK": "dkk",
        "ES": "eur",
        "FI": "eur",
        "FR": "eur",
        "GB": "gbp",
        "GR": "eur",
        "IE": "eur",
        "IT": "eur",
        "NL": "eur",
        "NO": "nok",
        "PL": "pln",
        "PT": "eur",
        "SE": "sek",
    }
)

_DOCS = "https://docs.stripe.com/payments"

LOCAL_METHODS: Final[Mapping[str, LocalMethod]] = MappingProxyType(
    {
        m.type: m
        for m in (
            LocalMethod(
                type="ideal",
                name="iDEAL",
                countries=frozenset({"NL"}),
                currencies=frozenset({"eur"}),
                action=CustomerAction.REDIRECT,
                manual_capture=False,
                billing_details=(),
                source=f"{_DOCS}/ideal",
            ),
            LocalMethod(
                type="bancontact",
                name="Bancontact",
                countries=frozenset({"BE"}),
                currencies=frozenset({"eur"}),
                action=CustomerAction.REDIRECT,
                manual_capture=False,
                billing_details=("name",),
                source=f"{_DOCS}/bancontact",
            ),
            LocalMethod(
                type="eps",
                name="EPS",
                countries=frozenset({"AT"}),
                currencies=frozenset({"eur"}),
                action=CustomerAction.REDIRECT,
                manual_capture=False,
                billing_details=("name",),
                source=f"{_DOCS}/eps",
            ),
            LocalMethod(
                type="p24",
                name="Przelewy24",
                countries=frozenset({"PL"}),
                currencies=frozenset({"eur", "pln"}),
                action=CustomerAction.REDIRECT,
                manual_capture=False,
                billing_details=("email",),
                source=f"{_DOCS}/p24",
            ),
            LocalMethod(
                type="blik",
                name="BLIK",
                countries=frozenset({"PL"}),
                currencies=frozenset({"pln"}),
                action=CustomerAction.BLIK_CODE,
                manual_capture=False,
                billing_details=(),
                source=f"{_DOCS}/blik",
            ),
            LocalMethod(
                type="twint",
                name="TWINT",
                countries=frozenset({"CH"}),
                currencies=frozenset({"chf"}),
                action=CustomerAction.REDIRECT,
                manual_capture=False,
                billing_details=(),
                source=f"{_DOCS}/twint",
            ),
            LocalMethod(
                type="swish",
                name="Swish",
                countries=frozenset({"SE"}),
                currencies=frozenset({"sek"}),
                action=CustomerAction.SWISH_APP,
                manual_capture=False,
                billing_details=(),
                source=f"{_DOCS}/swish",
            ),
            LocalMethod(
                type="klarna",
                name="Klarna",
                countries=frozenset(KLARNA_MARKETS),
                currencies=frozenset(KLARNA_MARKETS.values()),
                action=CustomerAction.REDIRECT,
                manual_capture=True,
                billing_details=("email", "address.country"),
                source=f"{_DOCS}/klarna",
            ),
        )
    }
)

LOCAL_METHOD_TYPES: Final = tuple(LOCAL_METHODS)


def local_method(kind: str) -> LocalMethod | None:
    return LOCAL_METHODS.get(kind)


def local_methods_for(country: str, currency: str) -> list[str]:
    """The local methods a shop in ``country`` offers for payments in ``currency``, in
    the table's order."""
    return [m.type for m in LOCAL_METHODS.values() if m.misfit(country, currency) is None]


def currency_refusal(method: LocalMethod, currency: str) -> str:
    """Stripe's wording for a currency the method does not support."""
    return (
        f"The currency provided ({currency}) is invalid. Payments with {method.type} support "
        f"the following currencies: {', '.join(sorted(method.currencies))}."
    )


def country_refusal(method: LocalMethod, country: str) -> str:
    return (
        f"{method.name} ({method.type}) is offered to customers in "
        f"{', '.join(sorted(method.countries))}; this shop is in {country}."
    )
