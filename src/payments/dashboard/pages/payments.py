"""Payments: search, detail with its timeline, and capture, cancel and refund (a refund
goes through the approval policy exactly as one made with the API)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from payments.dashboard.forms import card_last4, day_range, minor_units, page_of
from payments.dashboard.i18n import money
from payments.dashboard.service.payments import Search, payment_detail, search_payments
from payments.dashboard.web import (
    PREFIX,
    DashboardRoute,
    FormDep,
    StaffDep,
    confirm,
    gettext,
    language_of,
    query,
    redirect,
    render,
    shop_names,
)
from payments.intents.domain.commands import CancelPaymentIntent, CapturePaymentIntent
from payments.intents.domain.payment_intent import PaymentIntentStatus
from payments.intents.service.flow import cancel_payment_intent, capture_payment_intent
from payments.intents.service.payment_intents import parse_currency
from payments.kernel.access import Permission
from payments.kernel.pagination import MAX_LIMIT, PageRequest
from payments.locations.service import list_locations
from payments.refunds.api import policy
from payments.refunds.domain.commands import CreateRefund
from payments.refunds.domain.refund import Reason
from payments.refunds.service.refunds import create_refund

router = APIRouter(prefix=f"{PREFIX}/payments", include_in_schema=False, route_class=DashboardRoute)

Text = Annotated[str, Query(max_length=200)]


@router.get("")
async def payments(
    request: Request,
    staff: StaffDep,
    q: Text = "",
    status: Text = "",
    location: Text = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    amount: Annotated[str, Query(max_length=20)] = "",
    currency: Annotated[str, Query(max_length=3)] = "eur",
    last4: Annotated[str, Query(max_length=20)] = "",
    starting_after: Text = "",
    ending_before: Text = "",
) -> Response:
    c = request.app.state.container
    currency = (currency or "eur").lower()
    search = Search(
        text=q,
        status=status,
        location=location,
        created=day_range(date_from, date_to),
        amount=minor_units(amount, parse_currency(currency), param="amount"),
        currency=currency,
        card_last4=card_last4(last4),
    )
    result = await search_payments(
        search, page_of(starting_after, ending_before), uow_factory=c.uow_factory, ctx=staff.ctx
    )
    shops = await list_locations(
        PageRequest(limit=MAX_LIMIT), uow_factory=c.uow_factory, ctx=staff.ctx
    )
    filters = {
        "q": q,
        "status": status,
        "location": location,
        "from": date_from,
        "to": date_to,
        "amount": amount,
        "currency": currency,
        "last4": last4,
    }
    backwards = bool(ending_before)
    newer = older = ""
    if result.data:
        if (backwards and result.has_more) or (not backwards and (starting_after or "")):
            newer = query(filters | {"ending_before": result.data[0].id})
        if (not backwards and result.has_more) or backwards:
            older = query(filters | {"starting_after": result.data[-1].id})
    return render(
        request,
        "payments.html",
        staff=staff,
        title=gettext(request, "Payments"),
        payments=result.data,
        filters=filters,
        statuses=[s.value for s in PaymentIntentStatus],
        currencies=sorted(
            {cur for shop in shops.data for cur in (shop.currencies or [shop.default_currency])}
            | {currency}
        ),
        shops=shops.data,
        names={shop.id: shop.name for shop in shops.data},
        newer=newer,
        older=older,
    )


@router.get("/{pi_id}")
async def payment(request: Request, pi_id: str, staff: StaffDep) -> Response:
    c = request.app.state.container
    detail = await payment_detail(pi_id, uow_factory=c.uow_factory, ctx=staff.ctx)
    return render(
        request,
        "payment.html",
        staff=staff,
        title=gettext(request, "Payment") + " " + pi_id,
        d=detail,
        pi=detail.intent,
        reasons=[r.value for r in Reason],
        names=await shop_names(request, staff),
        notice=_notice(request),
    )


def _notice(request: Request) -> str:
    done = request.query_params.get("done", "")
    messages = {
        "refund_requested": "The refund was requested and awaits approval by finance.",
        "refunded": "The refund was sent.",
        "captured": "The payment was captured.",
        "canceled": "The payment was canceled.",
    }
    return gettext(request, messages[done]) if done in messages else ""


@router.post("/{pi_id}/capture")
async def capture(request: Request, pi_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.write_payments)
    c = request.app.state.container
    pi = (await payment_detail(pi_id, uow_factory=c.uow_factory, ctx=posted.staff.ctx)).intent
    amount = minor_units(posted.get("amount"), pi.currency)
    if not posted.confirmed:
        return confirm(
            request,
            posted,
            title=gettext(request, "Capture the payment?"),
            question=gettext(request, "The customer's card is charged now."),
            button=gettext(request, "Capture"),
            cancel_url=f"{PREFIX}/payments/{pi_id}",
        )
    await capture_payment_intent(
        pi_id,
        CapturePaymentIntent(amount_to_capture=amount),
        uow_factory=c.uow_factory,
        gateway=c.gateway,
        clock=c.clock,
        ctx=posted.staff.ctx,
    )
    return redirect(f"{PREFIX}/payments/{pi_id}?done=captured")


@router.post("/{pi_id}/cancel")
async def cancel(request: Request, pi_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.write_payments)
    c = request.app.state.container
    await payment_detail(pi_id, uow_factory=c.uow_factory, ctx=posted.staff.ctx)  # 404 first
    if not posted.confirmed:
        return confirm(
            request,
            posted,
            title=gettext(request, "Cancel the payment?"),
            question=gettext(
                request, "Any authorization is released; this payment cannot be paid any more."
            ),
            button=gettext(request, "Cancel the payment"),
            cancel_url=f"{PREFIX}/payments/{pi_id}",
        )
    await cancel_payment_intent(
        pi_id,
        CancelPaymentIntent(),
        uow_factory=c.uow_factory,
        gateway=c.gateway,
        clock=c.clock,
        ctx=posted.staff.ctx,
    )
    return redirect(f"{PREFIX}/payments/{pi_id}?done=canceled")


@router.post("/{pi_id}/refund")
async def refund(request: Request, pi_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.write_refunds)
    c = request.app.state.container
    pi = (await payment_detail(pi_id, uow_factory=c.uow_factory, ctx=posted.staff.ctx)).intent
    amount = minor_units(posted.get("amount"), pi.currency)
    reason_text = posted.get("reason")
    reason = Reason(reason_text) if reason_text in {r.value for r in Reason} else None
    if not posted.confirmed:
        shown = (
            gettext(request, "the whole remaining amount")
            if amount is None
            else money(amount, pi.currency, language_of(request))
        )
        return confirm(
            request,
            posted,
            title=gettext(request, "Refund the payment?"),
            question=gettext(request, "Refund {amount} of {payment} to the customer.").format(
                amount=shown, payment=pi_id
            ),
            button=gettext(request, "Refund"),
            cancel_url=f"{PREFIX}/payments/{pi_id}",
        )
    created = await create_refund(
        CreateRefund(
            payment_intent=pi_id,
            amount=amount,
            reason=reason,
            note=posted.get("note")[:500] or None,
        ),
        uow_factory=c.uow_factory,
        gateway=c.gateway,
        clock=c.clock,
        ctx=posted.staff.ctx,
        policy=policy(c),
    )
    done = "refund_requested" if created.status.value == "pending_approval" else "refunded"
    return redirect(f"{PREFIX}/payments/{pi_id}?done={done}")
