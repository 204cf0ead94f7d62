"""State changes of an existing charge: capture, cancel, refund (and cancel_refund), and
the test hooks (3-D Secure completion, bank transfer arrival). Each runs inside the caller's
transaction with the charge row locked, and appends its events to the outbox.

Invalid requests raise :class:`GatewayInvalidRequest` with Stripe's codes:
``charge_already_captured``, ``charge_already_refunded``, ``charge_disputed``,
``amount_too_large``, ``payment_intent_unexpected_state``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.gateways.protocol import (
    ChargeResult,
    GatewayInvalidRequest,
    RefundResult,
    ResourceMissing,
)

from . import charges as ch
from . import local_methods as local
from .early_fraud_warnings import settle_actionable
from .events import Outbox
from .settings import SimulatorSettings, new_id
from .store import blik_codes, charges, refunds
from .testdata import DECLINES, SCENARIOS


def _unexpected(row: sa.Row, action: str) -> GatewayInvalidRequest:
    return GatewayInvalidRequest(
        f"You cannot {action} this charge because it has a status of {row.status}.",
        code="payment_intent_unexpected_state",
    )


def _positive_amount(amount: int | None) -> None:
    if amount is not None and (
        isinstance(amount, bool) or not isinstance(amount, int) or amount < 1
    ):
        raise GatewayInvalidRequest(
            "Amount must be a positive integer of minor units.",
            code="parameter_invalid_integer",
            param="amount",
        )


async def capture(
    conn: AsyncConnection,
    outbox: Outbox,
    reference: str,
    amount: int | None,
    now: datetime,
    settings: SimulatorSettings,
) -> ChargeResult:
    _positive_amount(amount)
    row = await ch.load(conn, reference, lock=True)
    if row.status == "succeeded":
        raise GatewayInvalidRequest(
            "This charge has already been captured.", code="charge_already_captured"
        )
    if row.status != "requires_capture":
        raise _unexpected(row, "capture")
    amount = row.amount_capturable if amount is None else amount
    if amount > row.amount_capturable:
        raise GatewayInvalidRequest(
            f"The capture amount {amount} exceeds the authorized {row.amount_capturable}.",
            code="amount_too_large",
            param="amount",
        )
    result = await ch.update(conn, reference, now, **ch.succeeded_row(row, amount, now, settings))
    ch.announce(outbox, result, now, "charge.captured")
    return result


async def increment_authorization(
    conn: AsyncConnection, outbox: Outbox, reference: str, amount: int, now: datetime
) -> ChargeResult:
    """Raise a hold to ``amount`` (the new total) on a card flagged incremental."""
    _positive_amount(amount)
    row = await ch.load(conn, reference, lock=True)
    if row.status != "requires_capture":
        raise _unexpected(row, "increment the authorization of")
    behaviour = SCENARIOS.get(row.scenario)
    if behaviour is None or behaviour.incremental == "none":
        raise GatewayInvalidRequest(
            "This PaymentIntent's card does not support incremental authorizations.",
            code="payment_intent_unexpected_state",
        )
    if amount <= row.amount_capturable:
        raise GatewayInvalidRequest(
            f"The amount {amount} must be greater than the authorized {row.amount_capturable}.",
            code="parameter_invalid_integer",
            param="amount",
        )
    if behaviour.incremental == "declines":
        return replace(ch.snapshot(row), decline=DECLINES["insufficient_funds"])
    result = await ch.update(conn, reference, now, amount=amount, amount_capturable=amount)
    ch.announce(outbox, result, now, "payment_intent.amount_capturable_updated")
    return result


async def cancel(
    conn: AsyncConnection, outbox: Outbox, reference: str, now: datetime
) -> ChargeResult:
    row = await ch.load(conn, reference, lock=True)
    awaiting_funds = row.status == "processing" and ch.method_type(row) == "customer_balance"
    if row.status not in ("requires_capture", "requires_action") and not awaiting_funds:
        raise _unexpected(row, "cancel")
    result = await ch.update(
        conn,
        reference,
        now,
        status="canceled",
        amount_capturable=0,
        redirect_url=None,
        settle_at=None,
        settle_outcome=None,
    )
    ch.announce(outbox, result, now)
    return result


def refund_snapshot(row: sa.Row) -> RefundResult:
    return RefundResult(
        reference=row.id,
        charge=row.charge_id,
        amount=row.amount,
        currency=row.currency,
        status=row.status,
        created=row.created,
        reason=row.reason,
        failure_reason=row.failure_reason,
    )


async def load_refund(conn: AsyncConnection, reference: str) -> sa.Row:
    row = (await conn.execute(sa.select(refunds).where(refunds.c.id == reference))).first()
    if row is None:
        raise ResourceMissing("refund", reference, param="refund")
    return row


async def refund(
    conn: AsyncConnection,
    outbox: Outbox,
    reference: str,
    amount: int | None,
    reason: str | None,
    now: datetime,
    settings: SimulatorSettings,
) -> RefundResult:
    """Card refunds succeed at once (pm_card_refundFail: then fail later,
    pm_card_pendingRefund: pending first); SEPA and bank transfer refunds are
    pending until ``refund_settlement_delay`` has passed."""
    _positive_amount(amount)
    row = await ch.load(conn, reference, lock=True)
    if row.status != "succeeded":
        raise _unexpected(row, "refund")
    if row.disputed:
        raise GatewayInvalidRequest(
            "This charge is disputed and cannot be refunded.", code="charge_disputed"
        )
    remaining = row.amount_received - row.amount_refunded
    if remaining <= 0:
        raise GatewayInvalidRequest(
            "This charge has already been refunded.", code="charge_already_refunded"
        )
    amount = remaining if amount is None else amount
    if amount > remaining:
        raise GatewayInvalidRequest(
            f"Refund amount {amount} is greater than the unrefunded {remaining}.",
            code="amount_too_large",
            param="amount",
        )
    behaviour = (
        SCENARIOS[row.scenario].refund
        if ch.method_type(row) in ("card", "card_present")
        else "pending"
    )
    status, settle_at, outcome = {
        "succeed": ("succeeded", None, None),
        "pending": ("pending", now + settings.refund_settlement_delay, "succeeded"),
        "fail": ("succeeded", now + settings.refund_failure_delay, "failed"),
    }[behaviour]
    refund_id = new_id("re_sim", now)
    await conn.execute(
        refunds.insert().values(
            id=refund_id,
            charge_id=reference,
            amount=amount,
            currency=row.currency,
            status=status,
            reason=reason,
            failure_reason=None,
            settle_at=settle_at,
            settle_outcome=outcome,
            created=now,
            updated=now,
        )
    )
    charge = await ch.update(conn, reference, now, amount_refunded=row.amount_refunded + amount)
    result = refund_snapshot(await load_refund(conn, refund_id))
    outbox.add("refund.created", now, refund=result)
    outbox.add("charge.refunded", now, charge=charge)
    await settle_actionable(conn, outbox, reference, now)
    return result


async def cancel_refund(
    conn: AsyncConnection, outbox: Outbox, reference: str, now: datetime
) -> RefundResult:
    """Cancel a ``pending`` refund (Stripe cancels only ``requires_action`` ones): the
    money stays with us and the charge's ``amount_refunded`` drops again."""
    row = (
        await conn.execute(sa.select(refunds).where(refunds.c.id == reference).with_for_update())
    ).first()
    if row is None:
        raise ResourceMissing("refund", reference, param="refund")
    if row.status != "pending":
        raise GatewayInvalidRequest(
            f"You cannot cancel this refund because it has a status of {row.status}.",
            code="refund_unexpected_state",
        )
    await conn.execute(
        refunds.update()
        .where(refunds.c.id == reference)
        .values(status="canceled", settle_at=None, settle_outcome=None, updated=now)
    )
    await conn.execute(
        charges.update()
        .where(charges.c.id == row.charge_id)
        .values(amount_refunded=charges.c.amount_refunded - row.amount, updated=now)
    )
    result = refund_snapshot(await load_refund(conn, reference))
    outbox.add("refund.updated", now, refund=result)
    return result


async def complete_action(
    conn: AsyncConnection,
    outbox: Outbox,
    reference: str,
    succeed: bool,
    now: datetime,
    settings: SimulatorSettings,
) -> ChargeResult:
    row = await ch.load(conn, reference, lock=True)
    if row.status != "requires_action" or local.is_local(ch.method_type(row)):
        raise _unexpected(row, "complete a 3-D Secure challenge on")
    behaviour = SCENARIOS[row.scenario]
    if not succeed:
        values = ch.failed(DECLINES["authentication_failed"])
    elif behaviour.decline_after_auth is not None:
        values = ch.failed(behaviour.decline_after_auth)
    elif row.capture_method == "manual":
        values = {
            "status": "requires_capture",
            "amount_capturable": row.amount,
            "redirect_url": None,
        }
    else:
        values = ch.succeeded_row(row, row.amount, now, settings)
    result = await ch.update(conn, reference, now, **values)
    ch.announce(outbox, result, now)
    return result


async def authorize_payment(
    conn: AsyncConnection,
    outbox: Outbox,
    reference: str,
    succeed: bool,
    now: datetime,
    settings: SimulatorSettings,
) -> ChargeResult:
    """The customer authorizes (or fails) a local method payment on its page."""
    row = await ch.load(conn, reference, lock=True)
    if row.status != "requires_action" or not local.is_local(ch.method_type(row)):
        raise _unexpected(row, "authorize")
    values = (
        local.authorized(row, now, settings) if succeed else ch.failed(local.DECLINES["failed"])
    )
    await conn.execute(blik_codes.delete().where(blik_codes.c.charge_id == reference))
    result = await ch.update(conn, reference, now, **values)
    ch.announce(outbox, result, now)
    return result


async def fund_bank_transfer(
    conn: AsyncConnection,
    outbox: Outbox,
    reference: str,
    amount: int,
    now: datetime,
    settings: SimulatorSettings,
) -> ChargeResult:
    _positive_amount(amount)
    row = await ch.load(conn, reference, lock=True)
    if ch.method_type(row) != "customer_balance" or row.status != "processing":
        raise _unexpected(row, "fund")
    funded = row.amount_received + amount
    if funded < row.amount:
        result = await ch.update(conn, reference, now, amount_received=funded)
        ch.announce(outbox, result, now, "payment_intent.partially_funded")
        return result
    values = ch.succeeded_row(row, row.amount, now, settings)
    values["amount_excess"] = row.amount_excess + funded - row.amount
    result = await ch.update(conn, reference, now, **values)
    ch.announce(outbox, result, now)
    return result
