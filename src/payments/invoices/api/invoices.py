"""Invoices: Stripe's ``/v1/invoices`` and its verbs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from starlette.responses import Response

from payments.gateways.runtime import GatewayDep
from payments.intents.api.expand import expanded_list_response, expanded_response
from payments.invoices.api.expand import InvoiceExpand, InvoiceExpandList
from payments.invoices.domain.commands import (
    AddLines,
    CreateInvoice,
    DateRange,
    LineChange,
    LineInput,
    ListInvoices,
    PayInvoice,
    RemoveLines,
    UpdateInvoice,
    UpdateLines,
)
from payments.invoices.domain.model import Invoice, InvoiceLine
from payments.invoices.domain.payment_plan import ShareInput
from payments.invoices.domain.status import InvoiceStatus
from payments.invoices.notifier import notifier_of
from payments.invoices.render import (
    installment_plan_object,
    invoice_object,
    invoice_payment_object,
    payment_plan_object,
)
from payments.invoices.schemas import (
    AddLinesIn,
    ApplyAdvanceIn,
    AttachPaymentIn,
    InstallmentPlanIn,
    InstallmentPlanOut,
    InvoiceCreate,
    InvoiceList,
    InvoiceOut,
    InvoicePaymentList,
    InvoiceUpdate,
    LineIn,
    LineUpdateIn,
    PayIn,
    PaymentPlanIn,
    PaymentPlanOut,
    RemoveLinesIn,
    UpdateLinesIn,
)
from payments.invoices.service import (
    advances,
    drafts,
    finalize,
    installments,
    lifecycle,
    payment_plans,
    payments,
)
from payments.parts.runtime import PartsDep
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.openapi import CARD_ERRORS, GATEWAY_ERRORS, Responses
from payments.platform.http.params import CreatedRange, LocationFilter
from payments.platform.http.responses import json_response, list_response

router = APIRouter(prefix="/v1/invoices", tags=["invoices"])

ONE: Responses = {200: {"model": InvoiceOut}}

CREATE_EXAMPLES = {
    "repair": {
        "summary": "A draft for a display repair: 1.5 hours of labour and a part",
        "value": {
            "customer": "cus_01JD8ZQ0V8Y3J6T4W9B2C5D7FG",
            "location": "loc_01JD8ZQ0V8Y3J6T4W9B2C5D7FG",
            "lines": [
                {
                    "description": "Labour: replace display",
                    "quantity": "1.5",
                    "unit": "hour",
                    "unit_amount": 8000,
                },
                {"description": "Display panel 13.3in", "unit_amount": 12900, "sku": "LCD-133"},
            ],
        },
    }
}


def _render(result: tuple[Invoice, list[InvoiceLine]]) -> Response:
    return json_response(invoice_object(*result))


def _shown(pair: tuple[Invoice, Sequence[InvoiceLine]]) -> dict[str, Any]:
    return invoice_object(*pair)


def _line(body: LineIn) -> LineInput:
    return LineInput(**body.model_dump())


def _change(body: LineUpdateIn) -> LineChange:
    return LineChange(
        id=body.id,
        description=body.given_not_null("description"),
        quantity=body.given_not_null("quantity"),
        unit_amount=body.given_not_null("unit_amount"),
        tax_category=body.given_not_null("tax_category"),
        tax_behavior=body.given_not_null("tax_behavior"),
        kind=body.given_not_null("kind"),
        unit=body.given_not_null("unit"),
        sku=body.given("sku"),
        discount_amount=body.given_not_null("discount_amount"),
        exemption_reason=body.given("exemption_reason"),
        metadata=body.given("metadata"),
    )


def _update(invoice_id: str, body: InvoiceUpdate) -> UpdateInvoice:
    return UpdateInvoice(
        id=invoice_id,
        currency=body.given_not_null("currency"),
        collection_method=body.given_not_null("collection_method"),
        days_until_due=body.given("days_until_due"),
        footer=body.given("footer"),
        description=body.given("description"),
        default_payment_method=body.given("default_payment_method"),
        metadata=body.given("metadata"),
    )


def _unix_day(value: int | None) -> date | None:
    return datetime.fromtimestamp(value, UTC).date() if value is not None else None


@router.post(
    "",
    responses=ONE,
    summary="Create a draft invoice (optionally with its lines)",
    description=(
        "A draft of one shop (`location`; a key restricted to a shop defaults to its own) "
        "for a customer, in a currency the shop accepts. Its amounts are recalculated "
        "through the VAT engine at every change; it has no number until finalized."
    ),
)
async def create(
    body: Annotated[InvoiceCreate, Body(openapi_examples=CREATE_EXAMPLES)],
    c: PartsDep,
    ctx: ContextDep,
) -> Response:
    fields = body.model_dump(exclude_unset=True, exclude={"lines"})
    cmd = CreateInvoice(**fields, lines=tuple(_line(x) for x in body.lines))
    return _render(await drafts.create_invoice(cmd, ctx=ctx, parts=c.part_catalogue, **services(c)))


@router.get("", responses={200: {"model": InvoiceList}}, summary="List invoices (newest first)")
async def list_all(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    expand: InvoiceExpandList,
    location: LocationFilter = None,
    customer: Annotated[str | None, Query(max_length=64)] = None,
    status: InvoiceStatus | None = None,
    subscription: Annotated[
        str | None, Query(max_length=64, description="Only the invoices of this subscription.")
    ] = None,
    due_date_gte: Annotated[
        int | None,
        Query(alias="due_date[gte]", ge=0, le=2**33, description="Due on or after this day."),
    ] = None,
    due_date_lte: Annotated[
        int | None,
        Query(alias="due_date[lte]", ge=0, le=2**33, description="Due on or before this day."),
    ] = None,
) -> Response:
    query = ListInvoices(
        customer=customer,
        status=status,
        created=created,
        due_date=DateRange(gte=_unix_day(due_date_gte), lte=_unix_day(due_date_lte)),
        location=location,
        subscription=subscription,
    )
    result = await drafts.list_invoices(query, page, uow_factory=c.uow_factory, ctx=ctx)
    return await expanded_list_response(
        "/v1/invoices", result, _shown, expand, uow_factory=c.uow_factory, ctx=ctx
    )


@router.get("/{invoice_id}", responses=ONE, summary="Retrieve an invoice")
async def retrieve(
    invoice_id: str, c: ContainerDep, ctx: ContextDep, expand: InvoiceExpand
) -> Response:
    found = await drafts.retrieve_invoice(invoice_id, uow_factory=c.uow_factory, ctx=ctx)
    return await expanded_response(_shown(found), expand, uow_factory=c.uow_factory, ctx=ctx)


@router.post("/{invoice_id}", responses=ONE, summary="Update a draft invoice")
async def update(
    invoice_id: str, body: InvoiceUpdate, c: ContainerDep, ctx: ContextDep
) -> Response:
    return _render(await drafts.update_invoice(_update(invoice_id, body), ctx=ctx, **services(c)))


@router.post("/{invoice_id}/add_lines", responses=ONE, summary="Add lines to a draft invoice")
async def add_lines(invoice_id: str, body: AddLinesIn, c: PartsDep, ctx: ContextDep) -> Response:
    cmd = AddLines(id=invoice_id, lines=tuple(_line(x) for x in body.lines))
    return _render(await drafts.add_lines(cmd, ctx=ctx, parts=c.part_catalogue, **services(c)))


@router.post(
    "/{invoice_id}/remove_lines", responses=ONE, summary="Remove lines from a draft invoice"
)
async def remove_lines(
    invoice_id: str, body: RemoveLinesIn, c: ContainerDep, ctx: ContextDep
) -> Response:
    cmd = RemoveLines(id=invoice_id, line_ids=tuple(x.id for x in body.lines))
    return _render(await drafts.remove_lines(cmd, ctx=ctx, **services(c)))


@router.post("/{invoice_id}/update_lines", responses=ONE, summary="Change lines of a draft invoice")
async def update_lines(
    invoice_id: str, body: UpdateLinesIn, c: ContainerDep, ctx: ContextDep
) -> Response:
    cmd = UpdateLines(id=invoice_id, lines=tuple(_change(x) for x in body.lines))
    return _render(await drafts.update_lines(cmd, ctx=ctx, **services(c)))


@router.post(
    "/{invoice_id}/finalize",
    responses=ONE,
    summary="Finalize an invoice: number, freeze and post it",
)
async def finalize_invoice(invoice_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    return _render(await finalize.finalize_invoice(invoice_id, ctx=ctx, **services(c)))


@router.post(
    "/{invoice_id}/pay",
    responses=ONE | CARD_ERRORS | GATEWAY_ERRORS,
    summary="Pay an invoice: charge a payment method, or record it paid out of band",
    description=(
        "Charges what the invoice still owes off-session through a PaymentIntent (its "
        "`invoice` is set); a decline answers `402 card_error`. With "
        "`paid_out_of_band=true` the payment happened outside the service (`method`: "
        "cash, card_terminal, bank_transfer, other): `amount` (default: what remains) is "
        "applied, the invoice stays `open` while anything remains, and any excess goes to "
        "the customer's credit balance. Every payment is listed at "
        "`/v1/invoices/{id}/payments`."
    ),
)
async def pay(
    invoice_id: str, c: GatewayDep, ctx: ContextDep, body: PayIn | None = None
) -> Response:
    body = body or PayIn()
    cmd = PayInvoice(
        id=invoice_id,
        payment_method=body.payment_method,
        paid_out_of_band=body.paid_out_of_band,
        amount=body.amount,
        method=body.method,
        note=body.note,
        reference=body.reference,
        share=body.share,
    )
    result = await payments.pay_invoice(
        cmd, gateway=c.gateway, ctx=ctx, max_amount=c.settings.max_amount, **services(c)
    )
    return _render(result)


@router.post(
    "/{invoice_id}/attach_payment",
    responses=ONE,
    summary="Attach a PaymentIntent (a deposit) that pays this invoice",
    description=(
        "A payment taken before the invoice existed pays it: one that succeeded is applied "
        "at once; a pre-authorization (`requires_capture`) is applied when captured, e.g. "
        "at the invoice's final amount. An excess goes to the customer's credit balance."
    ),
)
async def attach_payment(
    invoice_id: str, body: AttachPaymentIn, c: ContainerDep, ctx: ContextDep
) -> Response:
    result = await payments.attach_payment(invoice_id, body.payment_intent, ctx=ctx, **services(c))
    return _render(result)


@router.post(
    "/{invoice_id}/apply_advance",
    responses=ONE,
    summary="Deduct a paid advance-payment invoice (a deposit) on this draft final invoice",
    description=(
        "The draft will deduct `advance_invoice`, a paid advance-payment invoice "
        "(`invoice_type=advance`) of the same customer, currency and seller, when it is "
        "finalized: its lines and VAT are charged in full, the advance's total is shown as "
        "the prepaid amount (EN 16931 BT-113) with a reference to the advance (BT-25), and "
        "`amount_remaining` is less by it; the advance's VAT, due when it was paid, is "
        "reversed in the ledger. The advance is reserved for this invoice at once."
    ),
)
async def apply_advance(
    invoice_id: str, body: ApplyAdvanceIn, c: ContainerDep, ctx: ContextDep
) -> Response:
    result = await advances.apply_advance(invoice_id, body.advance_invoice, ctx=ctx, **services(c))
    return _render(result)


@router.post(
    "/{invoice_id}/payment_plan",
    responses={200: {"model": PaymentPlanOut}},
    summary="Split what an open invoice owes between payers (a payment plan)",
    description=(
        "Each share names its payer (`customer`, default the invoice's), an `amount` or a "
        "`percent` of what the invoice owes now (rounded down to the cent; the remainder "
        "cent goes to the last share), a `due_date` and a `payment_method_hint`. The shares "
        "must add up to exactly what is owed. Pay a share with `POST "
        "/v1/invoices/{id}/pay` and `share` (more than it owes is refused); payments naming "
        "no share pay the open shares in order. The invoice is paid when all shares are."
    ),
)
async def create_payment_plan(
    invoice_id: str, body: PaymentPlanIn, c: ContainerDep, ctx: ContextDep
) -> Response:
    shares = tuple(
        ShareInput(
            customer=s.customer,
            amount=s.amount,
            percent=s.percent,
            due_date=_unix_day(s.due_date),
            payment_method_hint=s.payment_method_hint,
        )
        for s in body.shares
    )
    found = await payment_plans.create_payment_plan(invoice_id, shares, ctx=ctx, **services(c))
    return json_response(payment_plan_object(*found))


@router.get(
    "/{invoice_id}/payment_plan",
    responses={200: {"model": PaymentPlanOut}},
    summary="Retrieve an invoice's payment plan and what each share still owes",
)
async def retrieve_payment_plan(invoice_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    found = await payment_plans.retrieve_payment_plan(
        invoice_id, uow_factory=c.uow_factory, ctx=ctx
    )
    return json_response(payment_plan_object(*found))


PLAN: Responses = {200: {"model": InstallmentPlanOut}}


def _at(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


@router.post(
    "/{invoice_id}/installment_plan",
    responses=PLAN,
    summary="Pay an open invoice in scheduled installments on a saved card or SEPA mandate",
    description=(
        "`count` equal installments (`first_charge_at`, every `interval_months`) or the "
        "`installments` given (amount and date each, adding up to what is owed). The "
        "worker charges each on its date exactly once; a failed one is retried after 1, 3 "
        "and 7 days (`invoice.installment_failed`), a charged one records "
        "`invoice.installment_succeeded`."
    ),
)
async def create_installment_plan(
    invoice_id: str, body: InstallmentPlanIn, c: ContainerDep, ctx: ContextDep
) -> Response:
    cmd = installments.CreateInstallmentPlan(
        payment_method=body.payment_method,
        count=body.count,
        first_charge_at=_at(body.first_charge_at) if body.first_charge_at is not None else None,
        interval_months=body.interval_months,
        installments=tuple((i.amount, _at(i.date)) for i in body.installments),
    )
    found = await installments.create_installment_plan(invoice_id, cmd, ctx=ctx, **services(c))
    return json_response(installment_plan_object(*found))


@router.get(
    "/{invoice_id}/installment_plan", responses=PLAN, summary="Retrieve an installment plan"
)
async def retrieve_installment_plan(invoice_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    found = await installments.retrieve_installment_plan(
        invoice_id, uow_factory=c.uow_factory, ctx=ctx
    )
    return json_response(installment_plan_object(*found))


@router.post(
    "/{invoice_id}/installment_plan/cancel",
    responses=PLAN,
    summary="Cancel the installments not charged yet",
)
async def cancel_installment_plan(invoice_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    found = await installments.cancel_installment_plan(invoice_id, ctx=ctx, **services(c))
    return json_response(installment_plan_object(*found))


@router.post(
    "/{invoice_id}/installment_plan/pay_off",
    responses=ONE | CARD_ERRORS | GATEWAY_ERRORS,
    summary="Pay off an installment plan early: charge what remains now",
    description=(
        "Charges what the invoice still owes on the plan's payment method now (as `pay` "
        "does), then cancels the installments not charged yet. Refused while one is being "
        "charged."
    ),
)
async def pay_off_installment_plan(invoice_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    method = await installments.payoff_method(invoice_id, uow_factory=c.uow_factory, ctx=ctx)
    result = await payments.pay_invoice(
        PayInvoice(id=invoice_id, payment_method=method),
        gateway=c.gateway,
        ctx=ctx,
        max_amount=c.settings.max_amount,
        **services(c),
    )
    await installments.cancel_installment_plan(invoice_id, ctx=ctx, **services(c))
    return _render(result)


@router.post(
    "/{invoice_id}/void",
    responses=ONE,
    summary="Void an invoice nothing was paid or credited on",
)
async def void(invoice_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    return _render(await lifecycle.void_invoice(invoice_id, ctx=ctx, **services(c)))


@router.post(
    "/{invoice_id}/mark_uncollectible",
    responses=ONE,
    summary="Mark an open invoice uncollectible",
)
async def mark_uncollectible(invoice_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    return _render(await lifecycle.mark_uncollectible(invoice_id, ctx=ctx, **services(c)))


@router.post(
    "/{invoice_id}/send",
    responses=ONE,
    summary="Send an invoice to the customer (invoice.sent)",
)
async def send(invoice_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    result = await lifecycle.send_invoice(
        invoice_id, ctx=ctx, notifier=notifier_of(c.extras), **services(c)
    )
    return _render(result)


@router.get(
    "/{invoice_id}/payments",
    responses={200: {"model": InvoicePaymentList}},
    summary="List the payments applied to an invoice (newest first)",
)
async def list_payments(
    invoice_id: str, c: ContainerDep, ctx: ContextDep, page: PageDep
) -> Response:
    found = await payments.list_invoice_payments(
        invoice_id, page, uow_factory=c.uow_factory, ctx=ctx
    )
    return list_response(f"/v1/invoices/{invoice_id}/payments", found, invoice_payment_object)
