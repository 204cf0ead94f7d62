"""Charges: rows, snapshots, and the simulated outcome of a new attempt.

How an attempt starts (the scenario comes from the payment method):

* card, declined scenario -> ``failed`` with the card's decline;
* card needing 3-D Secure -> ``requires_action`` on session; off session
  ``failed`` with ``authentication_required`` (except the card already set up
  for off-session use);
* other cards -> ``requires_capture`` (manual) or ``succeeded`` (automatic,
  fee charged, a dispute scheduled for dispute cards);
* sepa_debit -> ``processing``, settling after ``sepa_settlement_delay``
  (limit IBANs ``failed`` at once); automatic capture only;
* customer_balance -> ``processing`` with bank transfer instructions until the
  funds arrive; automatic capture only;
* the local methods (iDEAL, BLIK, Klarna, ...) -> ``requires_action`` until the
  customer authorizes on the method's page (see :mod:`.local_methods`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.gateways.codec import decode, encode
from payments.gateways.protocol import (
    BankTransferInstructions,
    ChargeRequest,
    ChargeResult,
    ChargeStatus,
    Decline,
    Fee,
    GatewayInvalidRequest,
    PaymentMethodDetails,
    ResourceMissing,
)

from . import local_methods as local
from .events import Outbox
from .fees import fee_for, rule_for
from .methods import ResolvedMethod
from .settings import SimulatorSettings, new_id
from .store import charges
from .testdata import DECLINES, SCENARIOS
from .testibans import FAILS_AT_ONCE, SEPA_FAILURES

STATUS_EVENTS: dict[ChargeStatus, str] = {
    "requires_action": "payment_intent.requires_action",
    "requires_capture": "payment_intent.amount_capturable_updated",
    "processing": "payment_intent.processing",
    "succeeded": "charge.succeeded",
    "failed": "charge.failed",
    "canceled": "payment_intent.canceled",
}


# ---------------------------------------------------------------- rows and snapshots


async def load(conn: AsyncConnection, reference: str, *, lock: bool = False) -> sa.Row:
    query = sa.select(charges).where(charges.c.id == reference)
    row = (await conn.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise ResourceMissing("charge", reference, param="reference")
    return row


def snapshot(row: sa.Row) -> ChargeResult:
    transfer = None
    if row.bank_transfer is not None:
        transfer = BankTransferInstructions(
            **row.bank_transfer,
            amount_remaining=max(row.amount - row.amount_received, 0),
            currency=row.currency,
        )
    return ChargeResult(
        reference=row.id,
        status=row.status,
        amount=row.amount,
        currency=row.currency,
        created=row.created,
        capture_method=row.capture_method,
        amount_capturable=row.amount_capturable,
        amount_received=row.amount_received,
        amount_refunded=row.amount_refunded,
        amount_excess=row.amount_excess,
        fees=_fees(row),
        payment_method=row.payment_method,
        payment_method_details=decode(PaymentMethodDetails, row.payment_method_details),
        decline=decode(Decline, row.decline) if row.decline else None,
        action_type=local.action_type(method_type(row)),
        redirect_url=row.redirect_url,
        bank_transfer=transfer,
        disputed=row.disputed,
        customer=row.customer,
        metadata=dict(row.meta),
    )


def _fees(row: sa.Row) -> tuple[Fee, ...] | None:
    """The simulator takes its fee in the charge's currency."""
    if row.fee is None:
        return None
    return (Fee(amount=row.fee, currency=row.currency),) if row.fee else ()


async def update(
    conn: AsyncConnection, reference: str, now: datetime, **values: Any
) -> ChargeResult:
    await conn.execute(
        charges.update().where(charges.c.id == reference).values(updated=now, **values)
    )
    return snapshot(await load(conn, reference))


def announce(
    outbox: Outbox, result: ChargeResult, now: datetime, event_type: str | None = None
) -> None:
    outbox.add(event_type or STATUS_EVENTS[result.status], now, charge=result)


def method_type(row: sa.Row) -> str:
    return str(row.payment_method_details["type"])


def card_country(row: sa.Row) -> str | None:
    card = row.payment_method_details.get("card") or row.payment_method_details.get("card_present")
    return card["country"] if card else None


# ---------------------------------------------------------------- transitions


def failed(decline: Decline) -> dict[str, Any]:
    return {
        "status": "failed",
        "decline": encode(decline),
        "amount_capturable": 0,
        "redirect_url": None,
        "settle_at": None,
        "settle_outcome": None,
    }


def succeeded(
    *,
    kind: str,
    scenario: str,
    country: str | None,
    amount: int,
    currency: str,
    now: datetime,
    settings: SimulatorSettings,
) -> dict[str, Any]:
    """Values of a charge whose ``amount`` was captured / settled / funded now."""
    values: dict[str, Any] = {
        "status": "succeeded",
        "amount_received": amount,
        "amount_capturable": 0,
        "fee": fee_for(amount, currency, rule_for(kind, country)),
        "redirect_url": None,
        "settle_at": None,
        "settle_outcome": None,
    }
    if dispute_reason(kind, scenario) or early_fraud_warning(kind, scenario):
        # the issuer's news (a dispute or an early fraud warning) is due then
        values["dispute_at"] = now + settings.dispute_delay
    return values


def succeeded_row(
    row: sa.Row, amount: int, now: datetime, settings: SimulatorSettings
) -> dict[str, Any]:
    return succeeded(
        kind=method_type(row),
        scenario=row.scenario,
        country=card_country(row),
        amount=amount,
        currency=row.currency,
        now=now,
        settings=settings,
    )


def early_fraud_warning(kind: str, scenario: str) -> str | None:
    """The fraud_type of the early fraud warning this card's issuer sends, if any."""
    return SCENARIOS[scenario].early_fraud_warning if kind == "card" else None


def dispute_reason(kind: str, scenario: str) -> str | None:
    if kind == "card":
        return SCENARIOS[scenario].dispute_reason
    if kind == "sepa_debit" and scenario == "dispute":
        return "general"
    return None


# ---------------------------------------------------------------- a new attempt


def initial_values(
    method: ResolvedMethod,
    request: ChargeRequest,
    currency: str,
    reference: str,
    now: datetime,
    settings: SimulatorSettings,
) -> dict[str, Any]:
    kind = method.details.type
    if local.is_local(kind):
        return local.initial_values(kind, request, currency, reference, now, settings)
    if kind != "card" and request.capture_method == "manual":
        raise GatewayInvalidRequest(
            f"capture_method=manual is not supported for {kind} payments.",
            code="payment_intent_invalid_parameter",
            param="capture_method",
        )
    if kind != "card" and currency != "eur":
        raise GatewayInvalidRequest(
            f"{kind} payments must be in eur.",
            code="payment_intent_invalid_parameter",
            param="currency",
        )
    if kind == "sepa_debit":
        return _sepa_values(method.scenario, now, settings)
    if kind == "customer_balance":
        transfer_reference = "SIM-" + new_id("bt", now)[-12:]
        return {
            "status": "processing",
            "transfer_reference": transfer_reference,
            "bank_transfer": {
                "iban": settings.receiving_iban,
                "bic": settings.receiving_bic,
                "account_holder_name": settings.receiving_account_holder,
                "reference": transfer_reference,
            },
        }
    return _card_values(method, request, currency, reference, now, settings)


def _card_values(
    method: ResolvedMethod,
    request: ChargeRequest,
    currency: str,
    reference: str,
    now: datetime,
    settings: SimulatorSettings,
) -> dict[str, Any]:
    behaviour = SCENARIOS[method.scenario]
    if behaviour.decline is not None:
        return failed(behaviour.decline)
    if behaviour.three_ds == "none" and request.request_three_d_secure and not request.off_session:
        return {
            "status": "requires_action",
            "redirect_url": action_url(reference, request, settings),
        }
    if behaviour.three_ds != "none":
        if not request.off_session:
            return {
                "status": "requires_action",
                "redirect_url": action_url(reference, request, settings),
            }
        if behaviour.three_ds != "setup_for_off_session":
            return failed(DECLINES["authentication_required"])
    if behaviour.decline_after_auth is not None:
        return failed(behaviour.decline_after_auth)
    if request.capture_method == "manual":
        return {"status": "requires_capture", "amount_capturable": request.amount}
    card = method.details.card
    return succeeded(
        kind="card",
        scenario=method.scenario,
        country=card.country if card else None,
        amount=request.amount,
        currency=currency,
        now=now,
        settings=settings,
    )


def _sepa_values(scenario: str, now: datetime, settings: SimulatorSettings) -> dict[str, Any]:
    if scenario in FAILS_AT_ONCE:
        return failed(SEPA_FAILURES[scenario])
    delay = settings.sepa_settlement_delay
    if scenario.endswith("_delayed"):
        delay += settings.sepa_delayed_extra
    outcome = "failed" if scenario in SEPA_FAILURES else "succeeded"
    return {"status": "processing", "settle_at": now + delay, "settle_outcome": outcome}


def action_url(reference: str, request: ChargeRequest, settings: SimulatorSettings) -> str:
    query = f"?{urlencode({'return_url': request.return_url})}" if request.return_url else ""
    return f"{settings.action_url_base.rstrip('/')}/{reference}{query}"
