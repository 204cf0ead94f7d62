"""Payment methods: turning test card numbers, IBANs and test ids into safe details.

Only brand, last4, expiry, country, funding, wallet and a fingerprint
(HMAC-SHA256 of the number under the simulator's key, truncated to 16 hex
digits) are kept; the number and CVC are dropped here and never logged,
stored, hashed without a key or echoed in an error.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.gateways.codec import decode, encode
from payments.gateways.protocol import (
    AppMethodDetails,
    BankRedirectDetails,
    CardDetails,
    CardInput,
    CustomerBalanceDetails,
    CustomerBalanceInput,
    GatewayInvalidRequest,
    IbanNotAllowed,
    LocalMethodInput,
    PanNotAllowed,
    PaymentMethod,
    PaymentMethodDetails,
    PaymentMethodInput,
    ResourceMissing,
    SepaDebitDetails,
    SepaDebitInput,
    WalletType,
)
from payments.platform.db.fast import Fast

from .faults import probe_faults
from .settings import SimulatorSettings, new_id
from .store import payment_methods
from .testdata import CARDS_BY_NUMBER, SimCard, card_for_pm_id, luhn_ok
from .testibans import IBANS_BY_NUMBER, IBANS_BY_PM_ID, SimIban, normalize_iban

WALLETS: tuple[WalletType, ...] = ("apple_pay", "google_pay")
# Methods where the customer names their bank up front (Stripe's ``ideal[bank]`` ...)
BANK_REDIRECTS = frozenset({"ideal", "bancontact", "eps", "p24"})
_BANK_CODE = re.compile(r"^[a-z0-9_]{2,40}$")
_INSERT_METHOD = Fast(payment_methods.insert())  # built once, run with parameters
_INSERT_METHOD_PROBED = Fast(payment_methods.insert().returning(probe_faults()))
# Some of iDEAL's banks (Stripe's ``ideal[bank]`` codes) and their BICs
IDEAL_BICS = {
    "abn_amro": "ABNANL2A",
    "asn_bank": "ASNBNL21",
    "bunq": "BUNQNL2A",
    "ing": "INGBNL2A",
    "knab": "KNABNL2H",
    "rabobank": "RABONL2U",
    "regiobank": "RBRBNL21",
    "revolut": "REVOLT21",
    "sns_bank": "SNSBNL2A",
    "triodos_bank": "TRIONL2U",
    "van_lanschot": "FVLBNL22",
}
LOCAL_SCENARIO = "local"  # the customer decides on the method's page (or a test hook)


@dataclass(frozen=True, slots=True)
class ResolvedMethod:
    """What a charge needs to know about its payment method."""

    ref: str
    details: PaymentMethodDetails
    scenario: str


def _card_error(message: str, code: str, param: str) -> GatewayInvalidRequest:
    return GatewayInvalidRequest(message, code=code, param=param, error_type="card_error")


class PaymentMethods:
    def __init__(self, settings: SimulatorSettings) -> None:
        self._settings = settings
        # stored methods never change: the ones this instance created (and saw committed)
        # resolve without a lookup
        self._known: dict[str, ResolvedMethod] = {}

    def remember(self, method: PaymentMethod, scenario: str) -> None:
        if len(self._known) >= 10_000:
            self._known.clear()
        self._known[method.id] = ResolvedMethod(method.id, method.details, scenario)

    def fingerprint(self, kind: str, value: str) -> str:
        mac = hmac.new(self._settings.fingerprint_key, f"{kind}:{value}".encode(), hashlib.sha256)
        return mac.hexdigest()[:16]

    # ------------------------------------------------------------------ inputs

    def request_params(self, source: PaymentMethodInput) -> Mapping[str, Any]:
        """Idempotency parameters of a creation request, free of card data."""
        match source:
            case CardInput():
                number = _digits(source.number)
                return {
                    "type": "card",
                    "fingerprint": self.fingerprint("card", number),
                    "exp": [source.exp_month, source.exp_year],
                    "wallet": source.wallet,
                }
            case SepaDebitInput():
                iban = normalize_iban(source.iban)
                return {"type": "sepa_debit", "fingerprint": self.fingerprint("iban", iban)}
            case CustomerBalanceInput():
                return {"type": "customer_balance", "country": source.country}
            case LocalMethodInput():
                return {"type": source.type, "bank": source.bank, "billing": source.billing_details}
            case str():
                return {"type": "test_id", "id": source}
        raise TypeError(f"unsupported payment method source {type(source).__name__}")

    def describe(
        self, source: PaymentMethodInput, now: datetime
    ) -> tuple[PaymentMethodDetails, str]:
        """Validate a source; return its safe details and scenario name."""
        match source:
            case CardInput():
                card = self._checked_card(source, now)
                return self._card_details(card, source.exp_month, source.exp_year, source.wallet)
            case SepaDebitInput():
                return self._sepa_details(self._checked_iban(source.iban))
            case CustomerBalanceInput():
                details = CustomerBalanceDetails(country=source.country.upper())
                return PaymentMethodDetails(
                    type="customer_balance", customer_balance=details
                ), "bank_transfer"
            case LocalMethodInput():
                return self._local_details(source), LOCAL_SCENARIO
            case str():
                found = self._test_id(source, now)
                if found is None:
                    raise ResourceMissing("payment_method", source, param="payment_method")
                return found
        raise TypeError(f"unsupported payment method source {type(source).__name__}")

    def _test_id(self, pm_id: str, now: datetime) -> tuple[PaymentMethodDetails, str] | None:
        card = card_for_pm_id(pm_id)
        if card is not None:
            return self._card_details(card[0], 12, now.year + 3, card[1])
        entry = IBANS_BY_PM_ID.get(pm_id)
        return self._sepa_details(entry) if entry else None

    def _checked_card(self, card: CardInput, now: datetime) -> SimCard:
        number = _digits(card.number)
        if not number.isdigit() or not 12 <= len(number) <= 19:
            raise _card_error(
                "The card number is not a valid card number.", "invalid_number", "number"
            )
        if not luhn_ok(number):
            raise _card_error("Your card number is incorrect.", "incorrect_number", "number")
        sim_card = CARDS_BY_NUMBER.get(number)
        if sim_card is None:
            raise PanNotAllowed
        if not 1 <= card.exp_month <= 12:
            raise _card_error(
                "Your card's expiration month is invalid.", "invalid_expiry_month", "exp_month"
            )
        year = card.exp_year + 2000 if card.exp_year < 100 else card.exp_year
        if (year, card.exp_month) < (now.year, now.month):
            raise _card_error(
                "Your card's expiration year is invalid.", "invalid_expiry_year", "exp_year"
            )
        cvc_length = 4 if sim_card.brand == "amex" else 3
        if not (card.cvc.isdigit() and len(card.cvc) == cvc_length):
            raise _card_error("Your card's security code is invalid.", "invalid_cvc", "cvc")
        if card.wallet is not None and card.wallet not in WALLETS:
            raise GatewayInvalidRequest(
                f"Unknown wallet {card.wallet!r}", code="parameter_invalid", param="wallet"
            )
        return sim_card

    def _card_details(
        self, card: SimCard, exp_month: int, exp_year: int, wallet: WalletType | None
    ) -> tuple[PaymentMethodDetails, str]:
        details = CardDetails(
            brand=card.brand,
            last4=card.number[-4:],
            exp_month=exp_month,
            exp_year=exp_year + 2000 if exp_year < 100 else exp_year,
            country=card.country,
            fingerprint=self.fingerprint("card", card.number),
            funding=card.funding,
            wallet=wallet,
            checks={
                "address_line1_check": None,
                "address_postal_code_check": None,
                "cvc_check": card.cvc_check,
            },
            test_risk=card.test_risk,
        )
        return PaymentMethodDetails(type="card", card=details), card.scenario

    def _checked_iban(self, raw: str) -> SimIban:
        iban = normalize_iban(raw)
        entry = IBANS_BY_NUMBER.get(iban)
        if entry is not None:
            return entry
        try:
            IBAN(iban)
        except SchwiftyException:
            raise GatewayInvalidRequest(
                "The IBAN you provided is invalid.", code="invalid_bank_account_iban", param="iban"
            ) from None
        raise IbanNotAllowed

    def _sepa_details(self, entry: SimIban) -> tuple[PaymentMethodDetails, str]:
        details = SepaDebitDetails(
            bank_code=IBAN(entry.iban).bank_code,
            country=entry.country,
            last4=entry.iban[-4:],
            fingerprint=self.fingerprint("iban", entry.iban),
        )
        return PaymentMethodDetails(type="sepa_debit", sepa_debit=details), entry.scenario

    def _local_details(self, source: LocalMethodInput) -> PaymentMethodDetails:
        country = source.billing_details.country
        if source.type not in BANK_REDIRECTS:
            if source.bank is not None:
                raise GatewayInvalidRequest(
                    f"{source.type} takes no bank.", code="parameter_unknown", param="bank"
                )
            app = AppMethodDetails(country=country.upper() if country else None)
            return PaymentMethodDetails.local(source.type, app)
        if source.bank is not None and not _BANK_CODE.match(source.bank):
            raise GatewayInvalidRequest(
                f"Invalid {source.type}[bank]: {source.bank!r}",
                code="parameter_invalid",
                param="bank",
            )
        bic = IDEAL_BICS.get(source.bank or "") if source.type == "ideal" else None
        bank = BankRedirectDetails(bank=source.bank, bic=bic)
        return PaymentMethodDetails.local(source.type, bank)

    # ------------------------------------------------------------------ storage

    def _new(
        self, source: PaymentMethodInput, now: datetime
    ) -> tuple[PaymentMethod, dict[str, Any]]:
        details, scenario = self.describe(source, now)
        pm_id = new_id("pm_sim", now)
        row = {
            "id": pm_id,
            "type": details.type,
            "scenario": scenario,
            "details": encode(details),
            "created": now,
        }
        return PaymentMethod(id=pm_id, details=details, created=now), row

    async def create(
        self, conn: AsyncConnection, source: PaymentMethodInput, now: datetime
    ) -> PaymentMethod:
        method, row = self._new(source, now)
        await _INSERT_METHOD.execute(conn, row)
        return method

    async def create_unless_faulted(
        self, conn: AsyncConnection, source: PaymentMethodInput, now: datetime, operation: str
    ) -> tuple[PaymentMethod, bool]:
        """:meth:`create`, and whether a fault is set for ``operation``, in one statement
        (PostgreSQL: the caller rolls back if it is)."""
        method, row = self._new(source, now)
        found = await _INSERT_METHOD_PROBED.first(conn, {**row, "fault_operation": operation})
        return method, bool(found.faulted)

    async def resolve(self, conn: AsyncConnection, ref: str, now: datetime) -> ResolvedMethod:
        """A stored payment method, or a test id used directly (as Stripe allows)."""
        known = self._known.get(ref)
        if known is not None:
            return known
        row = (
            await conn.execute(sa.select(payment_methods).where(payment_methods.c.id == ref))
        ).first()
        if row is not None:
            return ResolvedMethod(ref, decode(PaymentMethodDetails, row.details), row.scenario)
        found = self._test_id(ref, now)
        if found is None:
            raise ResourceMissing("payment_method", ref, param="payment_method")
        return ResolvedMethod(ref, found[0], found[1])


def _digits(number: str) -> str:
    return "".join(ch for ch in str(number) if ch not in " -")
