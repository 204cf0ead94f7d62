"""Stripe's published test cards and test PaymentMethod ids, and how each behaves.

Numbers and ids come from Stripe's testing guide (docs.stripe.com/testing).
Any other card number is refused with ``pan_not_allowed``. The simulator keeps
a card's *scenario name* (how the simulated issuer behaves) next to its safe
details; the number itself is never stored.

Wallet ids are the simulator's own (Stripe has none): ``pm_card_visa_applepay``,
``pm_card_mastercard_applepay``, ``pm_card_visa_googlepay`` and
``pm_card_mastercard_googlepay`` are the US Visa / Mastercard test cards paid
through Apple Pay / Google Pay (``card.wallet`` set). ``CardInput(wallet=...)``
does the same for any test number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from payments.gateways.protocol import Decline, WalletType

ThreeDS = Literal[
    "none",  # not enrolled: never asks
    "always",  # every payment asks; off-session payments decline authentication_required
    "unless_setup",  # on-session asks; off-session declines unless set up (a SetupIntent)
    "setup_for_off_session",  # on-session asks; off-session succeeds without asking
]
RefundBehaviour = Literal["succeed", "pending", "fail"]
# incremental authorization: not offered, granted, or every increment declined
Incremental = Literal["none", "available", "declines"]


@dataclass(frozen=True, slots=True)
class CardBehaviour:
    decline: Decline | None = None  # declined at once (before any 3-D Secure)
    three_ds: ThreeDS = "none"
    decline_after_auth: Decline | None = None  # declined after a passed challenge / off-session
    dispute_reason: str | None = None  # disputed right after it succeeds
    early_fraud_warning: str | None = None  # the issuer warns (this fraud_type) after success
    refund: RefundBehaviour = "succeed"
    incremental: Incremental = "none"


def _declined(decline_code: str, message: str = "Your card was declined.") -> Decline:
    return Decline(code="card_declined", decline_code=decline_code, message=message)


DECLINES: Mapping[str, Decline] = {
    "generic_decline": _declined("generic_decline"),
    "insufficient_funds": _declined("insufficient_funds", "Your card has insufficient funds."),
    "lost_card": _declined("lost_card"),
    "stolen_card": _declined("stolen_card"),
    "fraudulent": _declined("fraudulent"),
    "expired_card": Decline(code="expired_card", message="Your card has expired."),
    "incorrect_cvc": Decline(
        code="incorrect_cvc", message="Your card's security code is incorrect."
    ),
    "processing_error": Decline(
        code="processing_error",
        message="An error occurred while processing your card. Try again in a little bit.",
    ),
    "authentication_required": Decline(
        code="authentication_required",
        decline_code="authentication_required",
        message="Your card was declined. This transaction requires authentication.",
    ),
    "authentication_failed": Decline(
        code="payment_intent_authentication_failure",
        message="The provided PaymentMethod has failed authentication.",
    ),
}

SCENARIOS: Mapping[str, CardBehaviour] = {
    "succeed": CardBehaviour(),
    "decline_generic": CardBehaviour(decline=DECLINES["generic_decline"]),
    "decline_insufficient_funds": CardBehaviour(decline=DECLINES["insufficient_funds"]),
    "decline_lost_card": CardBehaviour(decline=DECLINES["lost_card"]),
    "decline_stolen_card": CardBehaviour(decline=DECLINES["stolen_card"]),
    "decline_expired_card": CardBehaviour(decline=DECLINES["expired_card"]),
    "decline_incorrect_cvc": CardBehaviour(decline=DECLINES["incorrect_cvc"]),
    "decline_processing_error": CardBehaviour(decline=DECLINES["processing_error"]),
    "decline_fraudulent": CardBehaviour(decline=DECLINES["fraudulent"]),
    "dispute_fraudulent": CardBehaviour(dispute_reason="fraudulent"),
    "dispute_product_not_received": CardBehaviour(dispute_reason="product_not_received"),
    "early_fraud_warning": CardBehaviour(early_fraud_warning="made_with_stolen_card"),
    "refund_pending": CardBehaviour(refund="pending"),
    "refund_fail": CardBehaviour(refund="fail"),
    "3ds_always": CardBehaviour(three_ds="always"),
    "3ds_unless_setup": CardBehaviour(three_ds="unless_setup"),
    "3ds_setup_for_off_session": CardBehaviour(three_ds="setup_for_off_session"),
    "3ds_then_insufficient_funds": CardBehaviour(
        three_ds="always", decline_after_auth=DECLINES["insufficient_funds"]
    ),
    "3ds_then_declined": CardBehaviour(
        three_ds="always", decline_after_auth=DECLINES["generic_decline"]
    ),
    "incremental": CardBehaviour(incremental="available"),
    "incremental_declined": CardBehaviour(incremental="declines"),
}


@dataclass(frozen=True, slots=True)
class SimCard:
    number: str
    brand: str
    country: str
    scenario: str
    pm_ids: tuple[str, ...] = ()
    funding: str = "credit"
    cvc_check: str = "pass"
    test_risk: str | None = None  # Radar's test cards: elevated | highest | blocked


_B = "visa"
CARDS: tuple[SimCard, ...] = (
    # Cards by brand (United States)
    SimCard("4242424242424242", _B, "US", "succeed", ("pm_card_visa", "pm_card_us")),
    SimCard("4000056655665556", _B, "US", "succeed", ("pm_card_visa_debit",), "debit"),
    SimCard("5555555555554444", "mastercard", "US", "succeed", ("pm_card_mastercard",)),
    SimCard("2223003122003222", "mastercard", "US", "succeed"),
    SimCard(
        "5200828282828210", "mastercard", "US", "succeed", ("pm_card_mastercard_debit",), "debit"
    ),
    SimCard(
        "5105105105105100",
        "mastercard",
        "US",
        "succeed",
        ("pm_card_mastercard_prepaid",),
        "prepaid",
    ),
    SimCard("378282246310005", "amex", "US", "succeed", ("pm_card_amex",)),
    SimCard("371449635398431", "amex", "US", "succeed"),
    SimCard("6011111111111117", "discover", "US", "succeed", ("pm_card_discover",)),
    SimCard("3566002020360505", "jcb", "US", "succeed", ("pm_card_jcb",)),
    # Cards by country (Europe)
    SimCard("4000000400000008", _B, "AT", "succeed", ("pm_card_at",)),
    SimCard("4000000560000004", _B, "BE", "succeed", ("pm_card_be",)),
    SimCard("4000002080000001", _B, "DK", "succeed", ("pm_card_dk",)),
    SimCard("4000002460000001", _B, "FI", "succeed", ("pm_card_fi",)),
    SimCard("4000002500000003", _B, "FR", "succeed", ("pm_card_fr",)),
    SimCard("4000002760000016", _B, "DE", "succeed", ("pm_card_de",)),
    SimCard("4000003720000005", _B, "IE", "succeed", ("pm_card_ie",)),
    SimCard("4000003800000008", _B, "IT", "succeed", ("pm_card_it",)),
    SimCard("4000004420000006", _B, "LU", "succeed", ("pm_card_lu",)),
    SimCard("4000005280000002", _B, "NL", "succeed", ("pm_card_nl",)),
    SimCard("4000005780000007", _B, "NO", "succeed", ("pm_card_no",)),
    SimCard("4000006160000005", _B, "PL", "succeed", ("pm_card_pl",)),
    SimCard("4000006200000007", _B, "PT", "succeed", ("pm_card_pt",)),
    SimCard("4000007240000007", _B, "ES", "succeed", ("pm_card_es",)),
    SimCard("4000007520000008", _B, "SE", "succeed", ("pm_card_se",)),
    SimCard("4000007560000009", _B, "CH", "succeed", ("pm_card_ch",)),
    SimCard("4000008260000000", _B, "GB", "succeed", ("pm_card_gb",)),
    SimCard("5555558265554449", "mastercard", "GB", "succeed", ("pm_card_gb_mastercard",)),
    # Declined payments
    SimCard(
        "4000000000000002",
        _B,
        "US",
        "decline_generic",
        ("pm_card_visa_chargeDeclined", "pm_card_chargeDeclined"),
    ),
    SimCard(
        "4000000000009995",
        _B,
        "US",
        "decline_insufficient_funds",
        ("pm_card_visa_chargeDeclinedInsufficientFunds", "pm_card_chargeDeclinedInsufficientFunds"),
    ),
    SimCard(
        "4000000000009987",
        _B,
        "US",
        "decline_lost_card",
        ("pm_card_visa_chargeDeclinedLostCard", "pm_card_chargeDeclinedLostCard"),
    ),
    SimCard(
        "4000000000009979",
        _B,
        "US",
        "decline_stolen_card",
        ("pm_card_visa_chargeDeclinedStolenCard", "pm_card_chargeDeclinedStolenCard"),
    ),
    SimCard(
        "4000000000000069", _B, "US", "decline_expired_card", ("pm_card_chargeDeclinedExpiredCard",)
    ),
    SimCard(
        "4000000000000127",
        _B,
        "US",
        "decline_incorrect_cvc",
        ("pm_card_chargeDeclinedIncorrectCvc",),
    ),
    SimCard(
        "4000000000000119",
        _B,
        "US",
        "decline_processing_error",
        ("pm_card_chargeDeclinedProcessingError",),
    ),
    SimCard(
        "4100000000000019",
        _B,
        "US",
        "decline_fraudulent",
        ("pm_card_radarBlock", "pm_card_chargeDeclinedFraudulent"),
        test_risk="blocked",
    ),
    # Fraud prevention (Radar): risk levels and a failing CVC check
    SimCard(
        "4000000000004954", _B, "US", "succeed", ("pm_card_riskLevelHighest",), test_risk="highest"
    ),
    SimCard(
        "4000000000009235",
        _B,
        "US",
        "succeed",
        ("pm_card_riskLevelElevated",),
        test_risk="elevated",
    ),
    SimCard("4000000000000101", _B, "US", "succeed", ("pm_card_cvcCheckFail",), cvc_check="fail"),
    # Disputes
    # attaches and saves fine, every charge is declined (a card that starts failing)
    SimCard("4000000000000341", _B, "US", "decline_generic", ("pm_card_chargeCustomerFail",)),
    SimCard("4000000000000259", _B, "US", "dispute_fraudulent", ("pm_card_createDispute",)),
    SimCard(
        "4000000000002685",
        _B,
        "US",
        "dispute_product_not_received",
        ("pm_card_createDisputeProductNotReceived",),
    ),
    # succeeds, then the issuer sends an early fraud warning (Stripe's "Warning" card)
    SimCard(
        "4000000000005423", _B, "US", "early_fraud_warning", ("pm_card_createIssuerFraudRecord",)
    ),
    # Refunds
    SimCard("4000000000007726", _B, "US", "refund_pending", ("pm_card_pendingRefund",)),
    SimCard("4000000000005126", _B, "US", "refund_fail", ("pm_card_refundFail",)),
    # 3-D Secure
    SimCard(
        "4000002500003155", _B, "FR", "3ds_unless_setup", ("pm_card_authenticationRequiredOnSetup",)
    ),
    SimCard("4000002760003184", _B, "DE", "3ds_always", ("pm_card_authenticationRequired",)),
    SimCard(
        "4000003800000446",
        _B,
        "IT",
        "3ds_setup_for_off_session",
        ("pm_card_authenticationRequiredSetupForOffSession",),
    ),
    SimCard(
        "4000008260003178",
        _B,
        "GB",
        "3ds_then_insufficient_funds",
        ("pm_card_authenticationRequiredChargeDeclinedInsufficientFunds",),
    ),
    SimCard("4000000000003220", _B, "US", "3ds_always", ("pm_card_threeDSecure2Required",)),
    SimCard("4000000000003063", _B, "US", "3ds_always", ("pm_card_threeDSecureRequired",)),
    SimCard(
        "4000008400001629",
        _B,
        "US",
        "3ds_then_declined",
        ("pm_card_threeDSecureRequiredChargeDeclined",),
    ),
)

WALLET_PAYMENT_METHODS: Mapping[str, tuple[str, WalletType]] = {
    "pm_card_visa_applepay": ("4242424242424242", "apple_pay"),
    "pm_card_mastercard_applepay": ("5555555555554444", "apple_pay"),
    "pm_card_visa_googlepay": ("4242424242424242", "google_pay"),
    "pm_card_mastercard_googlepay": ("5555555555554444", "google_pay"),
}

# The simulator's own ids (Stripe has none) for cards flagged for incremental authorization:
# the US Visa test card whose holds can be raised, and one whose increments are declined
# (insufficient funds). Other cards refuse increment_authorization.
INCREMENTAL_PAYMENT_METHODS: Mapping[str, SimCard] = {
    "pm_card_visa_incremental": SimCard("4242424242424242", _B, "US", "incremental"),
    "pm_card_visa_incrementalDeclined": SimCard(
        "4242424242424242", _B, "US", "incremental_declined"
    ),
}

CARDS_BY_NUMBER: Mapping[str, SimCard] = {card.number: card for card in CARDS}
CARDS_BY_PM_ID: Mapping[str, SimCard] = {pm: card for card in CARDS for pm in card.pm_ids}

if not set(SCENARIOS) >= {card.scenario for card in CARDS}:
    raise ValueError("a test card names a scenario the simulator does not define")
if len(CARDS_BY_NUMBER) != len(CARDS):
    raise ValueError("two test cards share a number")


def luhn_ok(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def card_for_pm_id(pm_id: str) -> tuple[SimCard, WalletType | None] | None:
    """The test card (and wallet) behind a test PaymentMethod id, if it is one."""
    if pm_id in INCREMENTAL_PAYMENT_METHODS:
        return INCREMENTAL_PAYMENT_METHODS[pm_id], None
    if pm_id in WALLET_PAYMENT_METHODS:
        number, wallet = WALLET_PAYMENT_METHODS[pm_id]
        return CARDS_BY_NUMBER[number], wallet
    card = CARDS_BY_PM_ID.get(pm_id)
    return (card, None) if card else None
