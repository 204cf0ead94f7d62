"""Results of the Stripe-only helpers (beyond the gateway port), in our minor units."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, kw_only=True)
class HostedPaymentIntent:
    """An unconfirmed PaymentIntent for the hosted payment page (Stripe.js Payment Element)."""

    reference: str  # the PaymentIntent id: retrieve_charge / capture / refund by it
    client_secret: str = field(repr=False)  # give to the browser only, never log
    status: str  # Stripe's PaymentIntent status, e.g. requires_payment_method
    amount: int
    currency: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SetupIntentResult:
    """A SetupIntent saving a card or a SEPA Direct Debit mandate for later payments."""

    id: str
    status: str  # requires_payment_method | requires_confirmation | requires_action | ...
    client_secret: str = field(repr=False)
    customer: str | None
    payment_method: str | None
    mandate: str | None  # SEPA Direct Debit mandate id once succeeded
    usage: str  # off_session | on_session
    redirect_url: str | None = None
    last_error_code: str | None = None
    last_error_message: str | None = None
