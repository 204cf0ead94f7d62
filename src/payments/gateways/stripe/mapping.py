"""Stripe objects (plain dicts from ``StripeObject.to_dict()``) -> the port's results.

PaymentIntent status -> :data:`~payments.gateways.protocol.ChargeStatus`:

===========================================  =====================================
Stripe PaymentIntent                         ChargeResult.status
===========================================  =====================================
``succeeded``                                ``succeeded``
``requires_capture``                         ``requires_capture``
``processing``                               ``processing`` (SEPA debit in flight)
``requires_action``, next_action             ``processing`` with ``bank_transfer``
``display_bank_transfer_instructions``       instructions (awaiting the transfer)
``requires_action`` (3-D Secure, a bank       ``requires_action`` (``redirect_url`` when
redirect: ``redirect_to_url``)               a return_url was given)
``requires_action``, ``blik_authorize``       ``requires_action``, ``action_type``
                                             ``blik_authorize`` (no page)
``requires_action``, ``swish_handle_``        ``requires_action``, ``redirect_url`` =
``redirect_or_display_qr_code``               its ``hosted_instructions_url``
``requires_payment_method`` with             ``failed`` with ``decline`` from
``last_payment_error``                       ``last_payment_error`` (declined, failed
                                             3-D Secure, bounced debit)
``requires_payment_method`` (never tried),   ``requires_action``: the customer still
``requires_confirmation``                    has to pay (hosted page intents)
``canceled``                                 ``canceled``
===========================================  =====================================

Charge status (``charge.*`` event snapshots): ``succeeded`` + captured ->
``succeeded``, ``succeeded`` uncaptured -> ``requires_capture``, ``pending`` ->
``processing``, ``failed`` -> ``failed``.

The fees are read from the expanded ``latest_charge.balance_transaction``, each
in its own currency: Stripe takes its fee in the account's settlement currency,
which need not be the charge's (a USD charge on a EUR account has its fee in
EUR). ``fee_details`` give the currency of each part; without them, ``fee`` is
in the balance transaction's ``currency``. Rounding: per currency total, as
:func:`~payments.gateways.stripe.currency.fee_from_stripe` says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from payments.gateways.protocol import (
    LOCAL_METHOD_TYPES,
    ActionType,
    AppMethodDetails,
    BankRedirectDetails,
    BankTransferInstructions,
    CaptureMethod,
    CardDetails,
    CardPresentDetails,
    CardPresentReceipt,
    Cart,
    CartLine,
    ChargeResult,
    ChargeStatus,
    CustomerBalanceDetails,
    Decline,
    Dispute,
    EarlyFraudWarning,
    Fee,
    GatewayEvent,
    PaymentMethod,
    PaymentMethodDetails,
    Reader,
    ReaderAction,
    RefundResult,
    RefundStatus,
    SepaDebitDetails,
    WalletType,
)

from .currency import fee_from_stripe, from_stripe

Obj = Mapping[str, Any]
ATTEMPT_METADATA_KEY = "payments_attempt"  # our idempotency key, to find an intent again
_WALLETS: dict[str, WalletType] = {"apple_pay": "apple_pay", "google_pay": "google_pay"}
_SAME_STATUS: dict[str, ChargeStatus] = {
    "succeeded": "succeeded",
    "requires_capture": "requires_capture",
    "processing": "processing",
    "canceled": "canceled",
}
_REFUND_STATUS: dict[str, RefundStatus] = {
    "pending": "pending",
    "requires_action": "pending",
    "succeeded": "succeeded",
    "failed": "failed",
    "canceled": "canceled",
}


def timestamp(value: int | None) -> datetime:
    return datetime.fromtimestamp(value or 0, UTC)


def ident(value: Any) -> str | None:
    """An id from an expandable field (an id string or an expanded object)."""
    if value is None or isinstance(value, str):
        return value
    return str(value["id"])


def expanded(value: Any) -> Obj | None:
    return value if isinstance(value, Mapping) else None


def decline(error: Obj | None) -> Decline | None:
    if not error:
        return None
    return Decline(
        code=error.get("code") or "card_declined",
        message=error.get("message") or "The payment was declined.",
        decline_code=error.get("decline_code"),
    )


def metadata(values: Obj | None) -> dict[str, str]:
    return {k: str(v) for k, v in (values or {}).items() if k != ATTEMPT_METADATA_KEY}


def method_details(details: Obj | None) -> PaymentMethodDetails | None:
    """Safe details of a PaymentMethod or of a charge's ``payment_method_details``."""
    if not details:
        return None
    kind = details.get("type")
    if kind == "card" and details.get("card"):
        card = details["card"]
        wallet = (card.get("wallet") or {}).get("type")
        return PaymentMethodDetails(
            type="card",
            card=CardDetails(
                brand=card.get("brand") or "unknown",
                last4=card.get("last4") or "",
                exp_month=int(card.get("exp_month") or 0),
                exp_year=int(card.get("exp_year") or 0),
                country=card.get("country") or "",
                fingerprint=card.get("fingerprint") or "",
                funding=card.get("funding") or "unknown",
                wallet=_WALLETS.get(wallet or ""),
                checks=dict(card["checks"]) if card.get("checks") else None,
            ),
        )
    if kind == "card_present" and details.get("card_present"):
        return PaymentMethodDetails(
            type="card_present", card_present=card_present(details["card_present"])
        )
    if kind == "sepa_debit" and details.get("sepa_debit"):
        sepa = details["sepa_debit"]
        return PaymentMethodDetails(
            type="sepa_debit",
            sepa_debit=SepaDebitDetails(
                bank_code=sepa.get("bank_code") or "",
                country=sepa.get("country") or "",
                last4=sepa.get("last4") or "",
                fingerprint=sepa.get("fingerprint") or "",
            ),
        )
    if kind == "customer_balance":
        country = ((details.get("metadata") or {}).get("bank_transfer_country")) or "DE"
        return PaymentMethodDetails(
            type="customer_balance", customer_balance=CustomerBalanceDetails(country=country)
        )
    for local in LOCAL_METHOD_TYPES:
        if kind == local:
            return PaymentMethodDetails.local(local, _local_details(local, details))
    return None


_RECEIPT_FIELDS = (
    "account_type",
    "application_cryptogram",
    "application_preferred_name",
    "authorization_code",
    "authorization_response_code",
    "cardholder_verification_method",
    "dedicated_file_name",
    "terminal_verification_results",
    "transaction_status_information",
)


def card_present(card: Obj) -> CardPresentDetails:
    """A charge's ``payment_method_details.card_present`` (the EMV receipt fields kept)."""
    receipt = card.get("receipt") or {}
    return CardPresentDetails(
        brand=card.get("brand") or "unknown",
        last4=card.get("last4") or "",
        exp_month=int(card.get("exp_month") or 0),
        exp_year=int(card.get("exp_year") or 0),
        country=card.get("country") or "",
        fingerprint=card.get("fingerprint") or "",
        funding=card.get("funding") or "unknown",
        read_method=card.get("read_method") or "contactless_emv",
        network=card.get("network"),
        generated_card=ident(card.get("generated_card")),
        receipt=CardPresentReceipt(**{k: receipt.get(k) for k in _RECEIPT_FIELDS})
        if receipt
        else None,
    )


def reader(obj: Obj) -> Reader:
    """A ``terminal.reader`` and its action (amounts in our minor units)."""
    action = obj.get("action")
    return Reader(
        reference=str(obj["id"]),
        device_type=str(obj.get("device_type") or ""),
        label=str(obj.get("label") or ""),
        location=ident(obj.get("location")),
        serial_number=str(obj.get("serial_number") or ""),
        status="online" if obj.get("status") == "online" else "offline",
        action=reader_action(action) if action else None,
        ip_address=obj.get("ip_address"),
        device_sw_version=obj.get("device_sw_version"),
    )


def reader_action(action: Obj) -> ReaderAction:
    kind = str(action.get("type"))
    body = action.get(kind) or {}
    cart = None
    amount = body.get("amount")
    currency = None
    if kind == "set_reader_display" and body.get("cart"):
        raw = body["cart"]
        currency = str(raw.get("currency") or "")
        cart = Cart(
            currency=currency,
            line_items=tuple(
                CartLine(
                    description=str(li.get("description") or ""),
                    amount=from_stripe(int(li.get("amount") or 0), currency),
                    quantity=int(li.get("quantity") or 1),
                )
                for li in raw.get("line_items") or ()
            ),
            total=from_stripe(int(raw.get("total") or 0), currency),
            tax=from_stripe(int(raw["tax"]), currency) if raw.get("tax") is not None else None,
        )
    return ReaderAction(
        type=kind,  # type: ignore[arg-type]
        status=action.get("status") or "in_progress",
        payment_intent=ident(body.get("payment_intent")),
        charge=ident(body.get("charge")) or ident(body.get("payment_intent"))
        if kind == "refund_payment"
        else None,
        refund=ident(body.get("refund")),
        amount=int(amount) if amount is not None else None,
        currency=currency,
        cart=cart,
        failure_code=action.get("failure_code"),
        failure_message=action.get("failure_message"),
    )


def _local_details(kind: str, details: Obj) -> BankRedirectDetails | AppMethodDetails:
    """A PaymentMethod's (or a charge's ``payment_method_details``) hash of a local
    method: the bank where there is one; else the billing country, when known."""
    inner = details.get(kind) or {}
    if kind in ("ideal", "bancontact", "eps", "p24"):
        return BankRedirectDetails(bank=inner.get("bank"), bic=inner.get("bic"))
    address = (details.get("billing_details") or {}).get("address") or {}
    return AppMethodDetails(country=address.get("country"))


def payment_method(pm: Obj) -> PaymentMethod:
    details = method_details(pm)
    if details is None:
        raise ValueError(f"unsupported PaymentMethod type {pm.get('type')!r}")
    return PaymentMethod(id=str(pm["id"]), details=details, created=timestamp(pm.get("created")))


def _bank_transfer(action: Obj, currency: str) -> BankTransferInstructions | None:
    info = action.get("display_bank_transfer_instructions") or {}
    for address in info.get("financial_addresses") or ():
        iban = address.get("iban")
        if address.get("type") == "iban" and iban:
            return BankTransferInstructions(
                iban=iban.get("iban") or "",
                bic=iban.get("bic") or "",
                account_holder_name=iban.get("account_holder_name") or "",
                reference=info.get("reference") or "",
                amount_remaining=from_stripe(int(info.get("amount_remaining") or 0), currency),
                currency=currency,
            )
    return None


def _capture_method(value: str | None) -> CaptureMethod:
    return "manual" if value == "manual" else "automatic"  # automatic_async is automatic


def fees(balance_transaction: Obj) -> tuple[Fee, ...]:
    """A balance transaction's fees, one per currency (in that currency), zeros left out."""
    settled = str(balance_transaction["currency"]).lower()
    details = [d for d in balance_transaction.get("fee_details") or () if isinstance(d, Mapping)]
    totals: dict[str, int] = defaultdict(int)
    if details:
        for detail in details:
            totals[str(detail.get("currency") or settled).lower()] += int(detail.get("amount") or 0)
    else:
        totals[settled] += int(balance_transaction.get("fee") or 0)
    found = ((cur, fee_from_stripe(total, cur)) for cur, total in sorted(totals.items()))
    return tuple(Fee(amount=amount, currency=cur) for cur, amount in found if amount)


def customer_action(action: Obj) -> tuple[ActionType, str | None]:
    """What a ``requires_action`` intent asks of the customer, and the page to send them to
    (3-D Secure and bank redirects: ``redirect_to_url``; BLIK: none, the banking app;
    Swish: its hosted instructions)."""
    kind = action.get("type")
    if kind == "blik_authorize":
        return "blik_authorize", None
    if kind == "swish_handle_redirect_or_display_qr_code":
        swish = action.get("swish_handle_redirect_or_display_qr_code") or {}
        return kind, swish.get("hosted_instructions_url") or swish.get("mobile_auth_url")
    return "redirect_to_url", (action.get("redirect_to_url") or {}).get("url")


_OUTCOME_KEYS = (
    "type",
    "network_status",
    "reason",
    "risk_level",
    "risk_score",
    "rule",
    "seller_message",
)


def radar_outcome(charge: Obj | None) -> dict[str, Any] | None:
    """Stripe Radar's ``outcome`` of a charge (its rule as an id), or None."""
    outcome = (charge or {}).get("outcome")
    if not outcome:
        return None
    found = {k: outcome.get(k) for k in _OUTCOME_KEYS}
    found["rule"] = ident(found["rule"]) if found["rule"] else None
    return found


def charge_result(pi: Obj, *, payment_method_object: Obj | None = None) -> ChargeResult:
    """A ChargeResult from a PaymentIntent (``latest_charge`` / ``payment_method`` expanded
    when available; ``payment_method_object`` is the one a card error body carries)."""
    currency = str(pi["currency"])
    stripe_status = pi["status"]
    action = pi.get("next_action") or {}
    latest = expanded(pi.get("latest_charge"))
    error = pi.get("last_payment_error")
    bank_transfer = None
    redirect_url = None
    action_type: ActionType = "redirect_to_url"
    status: ChargeStatus
    if stripe_status in _SAME_STATUS:
        status = _SAME_STATUS[stripe_status]
    elif stripe_status == "requires_action":
        if action.get("type") == "display_bank_transfer_instructions":
            status, bank_transfer = "processing", _bank_transfer(action, currency)
        else:
            status = "requires_action"
            action_type, redirect_url = customer_action(action)
    elif stripe_status == "requires_payment_method" and error:
        status = "failed"
    else:  # requires_payment_method / requires_confirmation: waiting for the customer
        status = "requires_action"
    balance = expanded(latest.get("balance_transaction")) if latest else None
    details = method_details(latest.get("payment_method_details")) if latest else None
    details = details or method_details(expanded(pi.get("payment_method")) or payment_method_object)
    amount = from_stripe(int(pi["amount"]), currency)
    received = min(amount, from_stripe(int(pi.get("amount_received") or 0), currency))
    # Stripe counts a released authorization as "refunded"; only money received can be.
    refunded = from_stripe(int(latest.get("amount_refunded") or 0), currency) if latest else 0
    return ChargeResult(
        reference=str(pi["id"]),
        status=status,
        amount=amount,
        currency=currency,
        created=timestamp(pi.get("created")),
        capture_method=_capture_method(pi.get("capture_method")),
        amount_capturable=from_stripe(int(pi.get("amount_capturable") or 0), currency),
        amount_received=received,
        amount_refunded=min(refunded, received),
        fees=fees(balance) if balance is not None else None,
        payment_method=ident(pi.get("payment_method")) or ident(payment_method_object),
        payment_method_details=details,
        decline=decline(error) if status == "failed" else None,
        action_type=action_type,
        redirect_url=redirect_url,
        bank_transfer=bank_transfer,
        disputed=bool(latest.get("disputed")) if latest else False,
        customer=ident(pi.get("customer")),
        metadata=metadata(pi.get("metadata")),
        gateway_outcome=radar_outcome(latest),
    )


def charge_result_from_charge(ch: Obj) -> ChargeResult:
    """A ChargeResult from a Charge snapshot (``charge.*`` events); the PaymentIntent is the
    reference. Snapshots are hints: the service retrieves the current view."""
    currency = str(ch["currency"])
    amount = from_stripe(int(ch["amount"]), currency)
    captured = bool(ch.get("captured"))
    received = from_stripe(int(ch.get("amount_captured") or 0), currency)
    status: ChargeStatus
    failed = None
    if ch.get("status") == "succeeded":
        status = "succeeded" if captured else "requires_capture"
    elif ch.get("status") == "pending":
        status = "processing"
    else:
        status = "failed"
        outcome = ch.get("outcome") or {}
        failed = Decline(
            code=ch.get("failure_code") or "card_declined",
            message=ch.get("failure_message") or "The payment was declined.",
            decline_code=outcome.get("reason"),
        )
    return ChargeResult(
        reference=ident(ch.get("payment_intent")) or str(ch["id"]),
        status=status,
        amount=amount,
        currency=currency,
        created=timestamp(ch.get("created")),
        amount_capturable=amount if status == "requires_capture" else 0,
        amount_received=received,
        amount_refunded=min(received, from_stripe(int(ch.get("amount_refunded") or 0), currency)),
        payment_method=ident(ch.get("payment_method")),
        payment_method_details=method_details(ch.get("payment_method_details")),
        decline=failed,
        disputed=bool(ch.get("disputed")),
        customer=ident(ch.get("customer")),
        metadata=metadata(ch.get("metadata")),
        gateway_outcome=radar_outcome(ch),
    )


def refund_result(refund: Obj) -> RefundResult:
    currency = str(refund["currency"])
    return RefundResult(
        reference=str(refund["id"]),
        charge=ident(refund.get("payment_intent")) or ident(refund.get("charge")) or "",
        amount=from_stripe(int(refund["amount"]), currency),
        currency=currency,
        status=_REFUND_STATUS.get(refund.get("status") or "", "pending"),
        created=timestamp(refund.get("created")),
        reason=refund.get("reason"),
        failure_reason=refund.get("failure_reason"),
    )


def dispute(dp: Obj) -> Dispute:
    """The dispute fee is the fee of the withdrawal balance transaction(s), when Stripe
    reports them in the dispute's currency; ``evidence_due_by`` is Stripe's deadline."""
    currency = str(dp["currency"])
    withdrawals = [t for t in dp.get("balance_transactions") or () if isinstance(t, Mapping)]
    fee = None
    if withdrawals and all(t.get("currency") == currency for t in withdrawals):
        fee = fee_from_stripe(sum(int(t.get("fee") or 0) for t in withdrawals), currency)
    due_by = (dp.get("evidence_details") or {}).get("due_by")
    return Dispute(
        reference=str(dp["id"]),
        charge=ident(dp.get("payment_intent")) or ident(dp.get("charge")) or "",
        amount=from_stripe(int(dp["amount"]), currency),
        currency=currency,
        reason=dp.get("reason") or "general",
        status=dp.get("status") or "needs_response",
        created=timestamp(dp.get("created")),
        fee=fee,
        evidence_due_by=timestamp(due_by) if due_by else None,
    )


def early_fraud_warning(efw: Obj) -> EarlyFraudWarning:
    """Stripe's ``radar.early_fraud_warning``; its charge is named, like a dispute's, by
    the PaymentIntent when it has one (our charges' gateway reference on Stripe)."""
    return EarlyFraudWarning(
        reference=str(efw["id"]),
        charge=ident(efw.get("payment_intent")) or ident(efw.get("charge")) or "",
        fraud_type=str(efw.get("fraud_type") or "misc"),
        actionable=bool(efw.get("actionable")),
        created=timestamp(efw.get("created")),
    )


def gateway_event(event: Obj) -> GatewayEvent:
    """A GatewayEvent from a Stripe Event; the cursor is the (opaque) event id."""
    obj = (event.get("data") or {}).get("object") or {}
    kind = obj.get("object")
    return GatewayEvent(
        id=str(event["id"]),
        cursor=str(event["id"]),
        type=str(event["type"]),
        created=timestamp(event.get("created")),
        charge=charge_result(obj)
        if kind == "payment_intent"
        else charge_result_from_charge(obj)
        if kind == "charge"
        else None,
        refund=refund_result(obj) if kind == "refund" else None,
        dispute=dispute(obj) if kind == "dispute" else None,
        reader=reader(obj) if kind == "terminal.reader" else None,
        early_fraud_warning=early_fraud_warning(obj)
        if kind == "radar.early_fraud_warning"
        else None,
    )
