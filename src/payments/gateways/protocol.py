"""The payment gateway port: what the service may ask of Stripe or of the simulator.

One call to :meth:`PaymentGateway.charge` is one *attempt* (Stripe: a confirmed
PaymentIntent); the service's own PaymentIntent may make several. Every mutating
call carries an idempotency key derived from our attempt record, so repeating a
call whose outcome we did not learn can never move money twice: the gateway
replays the result it stored for that key.

**Declines are data.** A declined card, a failed 3-D Secure challenge or a
SEPA debit bounced by the bank is a :class:`ChargeResult` with
``status="failed"`` and a :class:`Decline`; it is never raised. Statuses use
Stripe's PaymentIntent vocabulary (see :data:`CHARGE_STATUSES`).

Exceptions are kept for what changes what the caller may do next::

    Exception
     └── GatewayError                  base class, never raised itself
          ├── GatewayNotSent           provably not processed (connect error, 5xx
          │                            before processing): safe to retry
          ├── GatewayOutcomeUnknown    may have been processed (timeout, lost
          │                            response): repeat the same call with the
          │                            same idempotency key, or retrieve
          └── GatewayInvalidRequest    received and refused before any effect
               │                       (Stripe's invalid_request_error); repeating
               │                       the same request fails the same way
               ├── IdempotencyKeyReused   idempotency_error: same key, other request
               ├── PanNotAllowed          pan_not_allowed: not a published test card
               ├── IbanNotAllowed         iban_not_allowed: not a published test IBAN
               └── ResourceMissing        resource_missing: unknown reference or id

``GatewayInvalidRequest`` is a bug or bad input on our side (capturing more
than was authorized, refunding a disputed charge, ...), never a customer's
decline; no idempotent result is stored for it (as at Stripe).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, Protocol, get_args, runtime_checkable

ChargeStatus = Literal[
    "requires_action",  # 3-D Secure: send the customer to ``redirect_url``
    "requires_capture",  # authorized (capture_method="manual"), ``amount_capturable`` held
    "processing",  # asynchronous: SEPA debit in flight, bank transfer awaiting funds
    "succeeded",  # captured: ``amount_received`` is ours
    "failed",  # declined: see ``decline``
    "canceled",  # authorization released / attempt abandoned
]
CHARGE_STATUSES: tuple[ChargeStatus, ...] = get_args(ChargeStatus)
RefundStatus = Literal["pending", "succeeded", "failed", "canceled"]
CaptureMethod = Literal["automatic", "manual"]
LocalMethodType = Literal[
    "ideal", "bancontact", "eps", "p24", "blik", "twint", "swish", "klarna"
]  # see payments.locations.domain.payment_methods
LOCAL_METHOD_TYPES: tuple[LocalMethodType, ...] = get_args(LocalMethodType)
PaymentMethodType = Literal[
    "card",
    "sepa_debit",
    "customer_balance",
    "ideal",
    "bancontact",
    "eps",
    "p24",
    "blik",
    "twint",
    "swish",
    "klarna",
    "card_present",  # a card read by a shop's reader (Stripe Terminal)
]
WalletType = Literal["apple_pay", "google_pay"]
# How the customer acts on a ``requires_action`` charge (Stripe's next_action types):
# a page to open (3-D Secure, bank redirects), a BLIK approval in the banking app, the
# Swish app (or its QR code).
ActionType = Literal[
    "redirect_to_url", "blik_authorize", "swish_handle_redirect_or_display_qr_code"
]

# Registry of the asynchronous event types a gateway reports through
# ``list_events`` (Stripe names). Each event carries a snapshot of the object.
EVENT_TYPES: Mapping[str, str] = {
    "payment_intent.requires_action": (
        "the attempt needs the customer (3-D Secure, a bank redirect, BLIK approval)"
    ),
    "payment_intent.amount_capturable_updated": "authorized, waiting for manual capture",
    "payment_intent.processing": (
        "asynchronous payment started (SEPA debit, bank transfer, an authorized local method)"
    ),
    "payment_intent.partially_funded": "a bank transfer arrived but covers only part",
    "payment_intent.canceled": "the attempt was canceled, any authorization released",
    "charge.succeeded": "funds captured: card charge, settled debit or funded transfer",
    "charge.captured": "a manual-capture authorization was captured",
    "charge.failed": "declined, failed authentication or bounced debit",
    "charge.refunded": "a refund was created against the charge",
    "charge.dispute.created": "the customer disputed the charge with the issuer",
    "charge.dispute.updated": "a dispute changed (evidence submitted, status)",
    "charge.dispute.closed": "a dispute was won, lost (or accepted) or warning_closed",
    "charge.dispute.funds_withdrawn": "the disputed amount was withdrawn from the balance",
    "charge.dispute.funds_reinstated": "a won dispute's amount was given back",
    "refund.created": "a refund was created",
    "refund.updated": "a refund changed status (pending -> succeeded, succeeded -> failed)",
    "refund.failed": "a refund failed after being accepted",
    "radar.early_fraud_warning.created": (
        "the card's issuer reported a charge as possibly fraudulent (an early fraud warning)"
    ),
    "radar.early_fraud_warning.updated": (
        "an early fraud warning changed (no longer actionable: disputed or refunded)"
    ),
    "terminal.reader.action_succeeded": "a reader's action (payment, refund, display) succeeded",
    "terminal.reader.action_failed": "a reader's action failed (declined, canceled, timed out)",
}


# --------------------------------------------------------------------------- errors


class GatewayError(Exception):
    """Base class of every gateway exception."""


class GatewayNotSent(GatewayError):
    """The request provably did not take effect; it is safe to send it again."""


class GatewayOutcomeUnknown(GatewayError):
    """The request may have taken effect. Repeat it with the same idempotency key
    (the gateway replays its stored result) or retrieve the charge."""


class GatewayInvalidRequest(GatewayError):
    """The gateway refused the request before doing anything (Stripe's error shape)."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        param: str | None = None,
        error_type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.error_type = error_type


class IdempotencyKeyReused(GatewayInvalidRequest):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"Keys for idempotent requests can only be used with the same parameters "
            f"they were first used with. Try using a key other than {key!r}.",
            code="idempotency_error",
            error_type="idempotency_error",
        )
        self.key = key


class PanNotAllowed(GatewayInvalidRequest):
    """A card number that is not a published test number (never echoed back)."""

    def __init__(self) -> None:
        super().__init__(
            "Only published test card numbers are accepted by this gateway.",
            code="pan_not_allowed",
            param="number",
        )


class IbanNotAllowed(GatewayInvalidRequest):
    """A valid IBAN that is not a published test IBAN (never echoed back)."""

    def __init__(self) -> None:
        super().__init__(
            "Only published test IBANs are accepted by this gateway.",
            code="iban_not_allowed",
            param="iban",
        )


class ResourceMissing(GatewayInvalidRequest):
    def __init__(self, kind: str, ident: str, *, param: str | None = None) -> None:
        super().__init__(f"No such {kind}: {ident!r}", code="resource_missing", param=param)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True, kw_only=True)
class CardInput:
    """Raw card details (test numbers only); never stored, never echoed."""

    number: str = field(repr=False)
    exp_month: int
    exp_year: int
    cvc: str = field(repr=False)
    wallet: WalletType | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SepaDebitInput:
    iban: str = field(repr=False)
    account_holder_name: str
    email: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerBalanceInput:
    """Pay by bank transfer into the gateway's account (Stripe ``customer_balance``)."""

    country: str = "DE"


@dataclass(frozen=True, slots=True, kw_only=True)
class BillingDetails:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    country: str | None = None  # billing_details[address][country]


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalMethodInput:
    """A local method (iDEAL, BLIK, Klarna, ...): nothing secret; the customer authorizes
    each payment with the bank or app. ``bank`` is the customer's bank where the method
    lets them choose it up front (iDEAL, EPS, P24)."""

    type: LocalMethodType
    bank: str | None = None
    billing_details: BillingDetails = field(default_factory=BillingDetails)


# A test PaymentMethod id such as ``"pm_card_visa"`` is accepted as well.
PaymentMethodInput = CardInput | SepaDebitInput | CustomerBalanceInput | LocalMethodInput | str


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargeRequest:
    amount: int  # minor units
    currency: str  # ISO 4217, any case
    payment_method: str  # a ``PaymentMethod.id`` or a test id such as ``pm_card_visa``
    idempotency_key: str
    capture_method: CaptureMethod = "automatic"
    customer: str | None = None
    off_session: bool = False
    return_url: str | None = None  # where a redirect method sends the customer back
    description: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    # the 6-digit code from the customer's banking app (BLIK only; single use, 2 minutes)
    blik_code: str | None = field(default=None, repr=False)
    # Stripe's payment_method_options[card][request_three_d_secure]=any: a card payment is
    # challenged even where the issuer would not ask (a fraud rule's request_three_d_secure)
    request_three_d_secure: bool = False


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True, kw_only=True)
class CardDetails:
    brand: str  # visa | mastercard | amex | ...
    last4: str
    exp_month: int
    exp_year: int
    country: str  # issuing country, ISO 3166-1 alpha-2
    fingerprint: str  # keyed hash of the number; equal for equal numbers
    funding: str = "credit"  # credit | debit | prepaid
    wallet: WalletType | None = None
    # Stripe's ``card.checks`` (``cvc_check``: pass | fail | unavailable | unchecked)
    checks: Mapping[str, str | None] | None = None
    # the simulator only: how Stripe's Radar test cards score (elevated | highest | blocked),
    # told at tokenization so the risk assessment that runs before the charge honours them
    test_risk: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SepaDebitDetails:
    bank_code: str
    country: str
    last4: str
    fingerprint: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerBalanceDetails:
    bank_transfer_type: str = "eu_bank_transfer"
    country: str = "DE"


@dataclass(frozen=True, slots=True, kw_only=True)
class BankRedirectDetails:
    """iDEAL, Bancontact, EPS, Przelewy24: the customer's bank, when known."""

    bank: str | None = None  # Stripe's bank name code, e.g. "ing", "bank_austria"
    bic: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AppMethodDetails:
    """BLIK, TWINT, Swish, Klarna: nothing to show but the customer's country."""

    country: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CardPresentReceipt:
    """What an EMV receipt must show (Stripe's ``card_present.receipt``)."""

    account_type: str | None = None  # credit | debit | prepaid | unknown
    application_cryptogram: str | None = None
    application_preferred_name: str | None = None  # e.g. "VISA CREDIT"
    authorization_code: str | None = None
    authorization_response_code: str | None = None
    cardholder_verification_method: str | None = None  # e.g. "approval", "online_pin"
    dedicated_file_name: str | None = None  # the application id (AID), e.g. A0000000031010
    terminal_verification_results: str | None = None
    transaction_status_information: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CardPresentDetails:
    """A card read at a reader (Stripe's ``payment_method_details.card_present``)."""

    brand: str
    last4: str
    exp_month: int
    exp_year: int
    country: str
    fingerprint: str
    funding: str = "credit"
    read_method: str = "contactless_emv"  # contact_emv | contactless_emv | magnetic_stripe_*
    network: str | None = None
    generated_card: str | None = None
    receipt: CardPresentReceipt | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentMethodDetails:
    """Only safe details: brand, last4, expiry, country, fingerprint, wallet; a local
    method's bank. The field named by ``type`` is set (the local ones may be empty)."""

    type: PaymentMethodType
    card: CardDetails | None = None
    sepa_debit: SepaDebitDetails | None = None
    customer_balance: CustomerBalanceDetails | None = None
    ideal: BankRedirectDetails | None = None
    bancontact: BankRedirectDetails | None = None
    eps: BankRedirectDetails | None = None
    p24: BankRedirectDetails | None = None
    blik: AppMethodDetails | None = None
    twint: AppMethodDetails | None = None
    swish: AppMethodDetails | None = None
    klarna: AppMethodDetails | None = None
    card_present: CardPresentDetails | None = None

    @classmethod
    def local(
        cls, kind: LocalMethodType, inner: BankRedirectDetails | AppMethodDetails
    ) -> PaymentMethodDetails:
        """The details of a local method (``inner`` in the field named ``kind``)."""
        changes: dict[str, Any] = {kind: inner}
        return replace(cls(type=kind), **changes)


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentMethod:
    id: str
    details: PaymentMethodDetails
    created: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Decline:
    code: str  # card_declined | expired_card | incorrect_cvc | processing_error | ...
    message: str
    decline_code: str | None = None  # generic_decline | insufficient_funds | lost_card | ...


@dataclass(frozen=True, slots=True, kw_only=True)
class BankTransferInstructions:
    """Where the customer sends a bank transfer (Stripe's display_bank_transfer_instructions)."""

    iban: str
    bic: str
    account_holder_name: str
    reference: str  # the customer must quote it; also accepted by the simulator's test hook
    amount_remaining: int
    currency: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Fee:
    """A gateway fee in minor units of its own currency, which is not always the
    charge's: Stripe takes its fee in the account's settlement currency."""

    amount: int
    currency: str  # ISO 4217, lower case


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargeResult:
    reference: str  # the gateway's id of this attempt: capture/cancel/refund/retrieve by it
    status: ChargeStatus
    amount: int
    currency: str
    created: datetime
    capture_method: CaptureMethod = "automatic"
    amount_capturable: int = 0  # held by an authorization, capturable now
    amount_received: int = 0  # captured / settled / transferred (capped at ``amount``)
    amount_refunded: int = 0  # refunds not failed
    amount_excess: int = 0  # bank transfer over-payment beyond ``amount``
    # the gateway's fees once known (None before), at most one per currency, each in its own
    # currency; () when the charge costs nothing
    fees: tuple[Fee, ...] | None = None
    payment_method: str | None = None
    payment_method_details: PaymentMethodDetails | None = None
    decline: Decline | None = None  # set when status == "failed"
    # status == "requires_action": what the customer does, and the page to send them to
    # (3-D Secure, a bank redirect, the Swish instructions; none for BLIK)
    action_type: ActionType = "redirect_to_url"
    redirect_url: str | None = None
    bank_transfer: BankTransferInstructions | None = None
    disputed: bool = False
    customer: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    # the gateway's own fraud screening of the charge (Stripe Radar's ``charge.outcome``:
    # type, risk_level, risk_score, rule, reason, seller_message, network_status)
    gateway_outcome: Mapping[str, Any] | None = None


SetupStatus = Literal[
    "requires_action",  # 3-D Secure: send the customer to ``redirect_url``
    "processing",  # a mandate being confirmed with the bank
    "succeeded",  # the method may be used off-session (``usage``) from now on
    "failed",  # declined or authentication failed: see ``decline``
    "canceled",
]
SetupUsage = Literal["off_session", "on_session"]


@dataclass(frozen=True, slots=True, kw_only=True)
class MandateAcceptance:
    """A SEPA Direct Debit mandate accepted online (Stripe's
    ``mandate_data[customer_acceptance][online]``)."""

    ip_address: str
    user_agent: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SetupRequest:
    """Save ``payment_method`` for later payments (Stripe: a SetupIntent created and
    confirmed server-side). ``idempotency_key`` is derived from our attempt record."""

    payment_method: str
    idempotency_key: str
    customer: str | None = None
    usage: SetupUsage = "off_session"
    return_url: str | None = None  # where the 3-D Secure page sends the customer back
    mandate: MandateAcceptance | None = None  # required for sepa_debit
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetupResult:
    reference: str  # the gateway's SetupIntent id: retrieve / cancel by it
    status: SetupStatus
    created: datetime
    payment_method: str | None = None
    usage: SetupUsage = "off_session"
    decline: Decline | None = None  # set when status == "failed"
    redirect_url: str | None = None  # status == "requires_action"
    mandate: str | None = None  # the SEPA Direct Debit mandate once succeeded
    customer: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundResult:
    reference: str
    charge: str  # the ChargeResult.reference refunded
    amount: int
    currency: str
    status: RefundStatus
    created: datetime
    reason: str | None = None
    failure_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Dispute:
    reference: str
    charge: str
    amount: int
    currency: str
    reason: str  # fraudulent | product_not_received | ...
    status: str  # needs_response | ...
    created: datetime
    fee: int | None = None  # the dispute fee withdrawn with the amount, if reported
    evidence_due_by: datetime | None = None  # the response deadline, if reported


# Stripe Radar's ``early_fraud_warning.fraud_type`` values
EFW_FRAUD_TYPES: tuple[str, ...] = (
    "card_never_received",
    "fraudulent_card_application",
    "made_with_counterfeit_card",
    "made_with_lost_card",
    "made_with_stolen_card",
    "misc",
    "unauthorized_use_of_card",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class EarlyFraudWarning:
    """Stripe's ``radar.early_fraud_warning``: the issuer's word that a charge may be
    fraud, usually days before a dispute (Visa TC40, Mastercard SAFE reports)."""

    reference: str
    charge: str  # the ChargeResult.reference warned about
    fraud_type: str  # one of EFW_FRAUD_TYPES
    actionable: bool  # not disputed and not fully refunded yet
    created: datetime


ReaderStatus = Literal["online", "offline"]
ReaderActionType = Literal[
    "process_payment_intent", "refund_payment", "set_reader_display", "process_setup_intent"
]
ReaderActionStatus = Literal["in_progress", "succeeded", "failed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CartLine:
    description: str
    amount: int  # minor units, the line's total
    quantity: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Cart:
    """What ``set_reader_display`` shows (Stripe's ``set_reader_display.cart``)."""

    currency: str
    line_items: tuple[CartLine, ...]
    total: int
    tax: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReaderAction:
    """Stripe's reader ``action``: what the reader is doing, or last did."""

    type: ReaderActionType
    status: ReaderActionStatus
    payment_intent: str | None = None  # the gateway's PaymentIntent (process_payment_intent)
    charge: str | None = None  # the charge refunded (refund_payment)
    refund: str | None = None  # the refund made (refund_payment, once succeeded)
    amount: int | None = None
    currency: str | None = None
    cart: Cart | None = None  # set_reader_display
    failure_code: str | None = None
    failure_message: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Reader:
    """A card reader registered at the gateway (Stripe's ``terminal.reader``)."""

    reference: str  # the gateway's reader id (tmr_...)
    device_type: str  # simulated_wisepos_e | bbpos_wisepos_e | stripe_s700 | ...
    label: str
    location: str | None  # the gateway's location id
    serial_number: str
    status: ReaderStatus
    action: ReaderAction | None = None
    ip_address: str | None = None
    device_sw_version: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CardPresentInput:
    """What a simulated reader is shown (Stripe's present_payment_method test helper):
    a published test card number, or an Interac card."""

    type: Literal["card_present", "interac_present"] = "card_present"
    number: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReaderPaymentRequest:
    """Collect ``amount`` on a reader (Stripe: a card_present PaymentIntent processed by
    ``process_payment_intent``)."""

    amount: int
    currency: str
    idempotency_key: str
    capture_method: CaptureMethod = "automatic"
    description: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeeDetail:
    """One part of a balance transaction's ``fee`` (Stripe's ``fee_details[]``)."""

    amount: int
    currency: str
    type: str  # stripe_fee | application_fee | tax
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BalanceTransaction:
    """A movement of the gateway balance (Stripe's ``balance_transaction``), in minor units
    of its own currency (the settlement currency, not always the source's).

    ``type``: charge | payment | refund | refund_failure | adjustment | payout | stripe_fee
    | ...; ``reporting_category`` as Stripe groups them (charge, refund, refund_failure,
    dispute, dispute_reversal, fee, payout, other_adjustment, ...). ``amount`` is signed (a
    refund or a payout is negative), ``net = amount - fee``. ``source`` is the gateway id of
    the object that moved the money; ``source_reference`` the id our records know it by
    (a charge's :attr:`ChargeResult.reference`: at Stripe the PaymentIntent, whose charge
    is the source; a refund's or a dispute's reference)."""

    id: str
    type: str
    reporting_category: str
    amount: int
    fee: int
    net: int
    currency: str
    status: str  # pending | available
    source: str | None
    created: datetime
    available_on: datetime
    fee_details: tuple[FeeDetail, ...] = ()
    source_reference: str | None = None
    payout: str | None = None  # the automatic payout that includes it, once known
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Payout:
    """Money sent from the gateway balance to our bank (Stripe's ``payout``)."""

    id: str
    amount: int
    currency: str
    status: str  # pending | in_transit | paid | failed | canceled
    arrival_date: datetime
    created: datetime
    balance_transaction: str | None
    automatic: bool = True
    method: str = "standard"
    failure_code: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayEvent:
    """A gateway-side change, as Stripe's ``/v1/events`` reports it."""

    id: str
    cursor: str  # strictly increasing in delivery order; pass as ``after``
    type: str  # one of EVENT_TYPES
    created: datetime
    charge: ChargeResult | None = None
    refund: RefundResult | None = None
    dispute: Dispute | None = None
    reader: Reader | None = None  # terminal.reader.*: the reader, its action finished
    early_fraud_warning: EarlyFraudWarning | None = None  # radar.early_fraud_warning.*
    # set when the gateway's event could not be read (e.g. its object lacks a field we
    # need): kept and reported by the applier, never applied, never an error to the sender
    problem: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EventPage:
    events: tuple[GatewayEvent, ...]
    next_cursor: str | None  # cursor of the last event, else the ``after`` given
    has_more: bool


# --------------------------------------------------------------------------- the port
# The port itself, then optional capabilities a gateway may also offer (checked with
# ``isinstance``): the service degrades gracefully where a gateway lacks them.


@runtime_checkable
class PaymentGateway(Protocol):
    """A payment gateway adapter (Stripe, simulator). Every method may raise
    :class:`GatewayNotSent` or :class:`GatewayOutcomeUnknown`; mutating methods
    may raise :class:`GatewayInvalidRequest`. Declines are returned."""

    @property
    def name(self) -> str:
        """Short adapter name stored with attempts: ``"stripe"``, ``"simulator"``."""
        ...

    async def create_payment_method(
        self, source: PaymentMethodInput, *, idempotency_key: str | None = None
    ) -> PaymentMethod:
        """Tokenize card / IBAN / bank-transfer details; returns safe details only."""
        ...

    async def charge(self, request: ChargeRequest) -> ChargeResult:
        """One attempt: authorize (manual) or authorize and capture (automatic)."""
        ...

    async def capture(
        self, reference: str, *, amount: int | None = None, idempotency_key: str
    ) -> ChargeResult:
        """Capture all (``amount=None``) or part of an authorization; the rest is released."""
        ...

    async def cancel(self, reference: str, *, idempotency_key: str) -> ChargeResult:
        """Release an authorization / abandon an attempt awaiting action or funds."""
        ...

    async def refund(
        self,
        reference: str,
        *,
        amount: int | None = None,
        idempotency_key: str,
        reason: str | None = None,
    ) -> RefundResult:
        """Refund all that remains (``amount=None``) or part of a succeeded charge."""
        ...

    async def retrieve_charge(self, reference: str) -> ChargeResult:
        """The charge as the gateway sees it now."""
        ...

    async def list_events(self, *, after: str | None = None, limit: int = 100) -> EventPage:
        """Events with a cursor greater than ``after``, oldest first."""
        ...


@runtime_checkable
class IncrementalAuthorization(Protocol):
    """Raise the held amount of an authorization (Stripe's
    ``POST /v1/payment_intents/{id}/increment_authorization``), for cards that support it.

    ``amount`` is the new total, above the one held. The answer is the charge: on success
    ``requires_capture`` with ``amount`` and ``amount_capturable`` at the new total; a
    decline is data, as for charges: ``requires_capture`` at the old amount with ``decline``
    set (the hold stays capturable as it was). A charge that cannot be incremented (not
    held, captured, a card without incremental authorization, an amount not above the
    held one) raises :class:`GatewayInvalidRequest`."""

    async def increment_authorization(
        self, reference: str, *, amount: int, idempotency_key: str
    ) -> ChargeResult: ...


@runtime_checkable
class RefundCanceling(Protocol):
    """Optional: the gateway can cancel a refund it has not completed (Stripe: only
    ``requires_action`` refunds; the simulator: ``pending`` ones too)."""

    async def cancel_refund(self, reference: str, *, idempotency_key: str) -> RefundResult: ...


@runtime_checkable
class DisputeManagement(Protocol):
    """Optional: the gateway takes dispute evidence and accepts (closes) disputes."""

    async def retrieve_dispute(self, dispute: str) -> Dispute: ...

    async def update_dispute_evidence(
        self,
        dispute: str,
        evidence: Mapping[str, str],
        *,
        idempotency_key: str,
        submit: bool = False,
    ) -> Dispute:
        """Attach evidence (Stripe's field names); ``submit=True`` sends it for review."""
        ...

    async def close_dispute(self, dispute: str, *, idempotency_key: str) -> Dispute:
        """Accept the dispute: it is lost (a warning: ``warning_closed``)."""
        ...


@runtime_checkable
class BalanceReporting(Protocol):
    """Optional: the gateway reports its balance movements and payouts (Stripe's
    ``/v1/balance_transactions`` and ``/v1/payouts``), read for reconciliation. Lists are
    complete (the adapter pages through them), oldest first."""

    async def list_payouts(
        self, *, arrival_from: datetime | None = None, arrival_to: datetime | None = None
    ) -> tuple[Payout, ...]:
        """Payouts arriving in ``[arrival_from, arrival_to)`` (either bound optional)."""
        ...

    async def retrieve_payout(self, payout: str) -> Payout: ...

    async def list_balance_transactions(
        self,
        *,
        payout: str | None = None,
        type: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
    ) -> tuple[BalanceTransaction, ...]:
        """Balance transactions (of one automatic payout, its own ``payout`` line
        included), of one ``type``, created in ``[created_from, created_to)``."""
        ...

    async def retrieve_balance_transaction(self, transaction: str) -> BalanceTransaction: ...


@runtime_checkable
class TerminalReaders(Protocol):
    """Optional: card readers at the shops' counters (Stripe Terminal, server-driven).

    A reader runs one action at a time; its outcome (the card read and charged, a
    decline, a refund to the presented card) arrives as a ``terminal.reader.action_*``
    event carrying the reader (and the charge or refund it made). Errors use Stripe's
    codes: ``terminal_reader_offline``, ``terminal_reader_busy``,
    ``terminal_reader_timeout``, ``intent_invalid_state``."""

    async def register_reader(
        self, *, registration_code: str, label: str, location: str | None, idempotency_key: str
    ) -> Reader: ...

    async def retrieve_reader(self, reference: str) -> Reader: ...

    async def create_connection_token(self, *, location: str | None) -> str:
        """A short-lived secret an SDK-driven reader connects with."""
        ...

    async def process_payment(self, reader: str, request: ReaderPaymentRequest) -> Reader:
        """Start collecting a card-present payment on ``reader`` (action in progress)."""
        ...

    async def refund_payment(
        self, reader: str, charge: str, *, amount: int | None, idempotency_key: str
    ) -> Reader:
        """Start a refund to the card the customer presents again on ``reader``."""
        ...

    async def set_reader_display(
        self, reader: str, cart: Cart, *, idempotency_key: str
    ) -> Reader: ...

    async def cancel_reader_action(self, reader: str, *, idempotency_key: str) -> Reader: ...

    async def retrieve_refund(self, reference: str) -> RefundResult:
        """A refund a reader made (its event may carry only the reader)."""
        ...


@runtime_checkable
class PaymentMethodSetup(Protocol):
    """Optional: save a payment method for later off-session payments (Stripe's
    SetupIntents) without charging it. Declines and failed 3-D Secure are data
    (``status="failed"`` with ``decline``); a card that asks for 3-D Secure answers
    ``requires_action`` with the page to send the customer to."""

    async def setup(self, request: SetupRequest) -> SetupResult: ...

    async def retrieve_setup(self, reference: str) -> SetupResult:
        """The setup as the gateway sees it now (after the customer's challenge)."""
        ...

    async def cancel_setup(self, reference: str, *, idempotency_key: str) -> SetupResult: ...
