"""Invoices while they are drafts: create, update, add, remove and change lines; and
reading invoices (retrieve, list).

A draft has no number; its amounts are recalculated at every change with the parties
and date of the moment (finalization takes them again and freezes them). Every change
records ``invoice.created`` or ``invoice.updated`` in its transaction. A finalized
invoice refuses every change (``invoice_unexpected_state``): corrections are credit
notes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from payments.customers.domain import Customer
from payments.events.service import record_event
from payments.idempotency.service import created_earlier, remember_created
from payments.intents.service.payment_methods import visible_payment_method
from payments.invoices.domain.commands import (
    AddLines,
    CreateInvoice,
    LineChange,
    LineInput,
    ListInvoices,
    RemoveLines,
    UpdateInvoice,
    UpdateLines,
)
from payments.invoices.domain.lines import (
    MAX_LINES,
    LineKind,
    LineUnit,
    check_discount,
    check_unit_amount,
    format_quantity,
    line_amount,
    parse_quantity,
)
from payments.invoices.domain.model import Invoice, InvoiceLine
from payments.invoices.domain.status import InvoiceOperation, InvoiceStatus, invoice_transition
from payments.invoices.render import invoice_object
from payments.invoices.repository import InvoiceLineRepository, InvoiceRepository
from payments.invoices.service.common import (
    apply_amounts,
    buyer_tax,
    check_currency,
    customer_of,
    lines_of,
    local_date,
    reprice_draft,
    seller_of,
    seller_party,
    shop,
    visible_invoice,
)
from payments.invoices.service.finalize import finalize_draft
from payments.invoices.service.part_prices import needs_pricing, priced_lines
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import Conflict, InvalidRequest, NotFound
from payments.kernel.ids import id_for
from payments.kernel.metadata import update_metadata, validate_metadata
from payments.kernel.money import UnknownCurrency, normalize_currency
from payments.kernel.pagination import Page, PageRequest
from payments.kernel.unset import Unset
from payments.legal_entities.domain import LegalEntity
from payments.locations.domain import Location
from payments.parts.domain import PartCatalogue
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.tax.domain import TaxBehavior, TaxCategory

COLLECTION_METHODS = ("charge_automatically", "send_invoice")
DEFAULT_DAYS_UNTIL_DUE = 14
MAX_DAYS_UNTIL_DUE = 730


def _choice(value: str, allowed: Sequence[str], *, param: str, what: str) -> str:
    if value not in allowed:
        raise InvalidRequest(
            f"Unknown {what} {value!r}; use one of " + ", ".join(allowed) + ".",
            code="parameter_invalid",
            param=param,
        )
    return value


def _currency(value: str) -> str:
    try:
        return normalize_currency(value)
    except UnknownCurrency:
        raise InvalidRequest(
            f"Invalid currency: {value!r}", code="currency_invalid", param="currency"
        ) from None


def _terms(collection_method: str, days_until_due: int | None) -> int | None:
    """Days until due: only for ``send_invoice`` (default 14), as at Stripe."""
    _choice(collection_method, COLLECTION_METHODS, param="collection_method", what="method")
    if collection_method == "charge_automatically":
        if days_until_due is not None:
            raise InvalidRequest(
                "days_until_due is only for invoices with collection_method=send_invoice.",
                param="days_until_due",
            )
        return None
    days = DEFAULT_DAYS_UNTIL_DUE if days_until_due is None else days_until_due
    if not 0 <= days <= MAX_DAYS_UNTIL_DUE:
        raise InvalidRequest(
            f"days_until_due must be between 0 and {MAX_DAYS_UNTIL_DUE}.", param="days_until_due"
        )
    return days


def new_line(
    inp: LineInput | LineChange,
    *,
    param: str,
    invoice_id: str,
    position: int,
    clock: Clock,
    base: InvoiceLine | None = None,
) -> InvoiceLine:
    """A line from its input, every field checked and named ``{param}[field]`` when bad;
    ``base``: the line being changed (its values where the change gives none)."""

    def pick(name: str, default: object, *, nullable: bool = False) -> object:
        """The field as given; a change's UNSET keeps the line's value; a missing
        (None) value takes the default unless the field may be cleared (``nullable``)."""
        value = getattr(inp, name)
        if isinstance(value, Unset):
            return getattr(base, name) if base is not None else default
        if value is None and not (nullable and base is not None):
            return getattr(base, name) if base is not None else default
        return value

    description = str(pick("description", ""))
    if not description.strip():
        raise InvalidRequest(
            f"Missing required param: {param}[description].",
            code="parameter_missing",
            param=f"{param}[description]",
        )
    quantity = parse_quantity(pick("quantity", None), param=f"{param}[quantity]")
    proration = isinstance(inp, LineInput) and inp.proration
    given_amount = pick("unit_amount", None)
    if given_amount is None:
        raise InvalidRequest(
            f"Missing required param: {param}[unit_amount] (or give a sku the part catalogue "
            "prices).",
            code="parameter_missing",
            param=f"{param}[unit_amount]",
        )
    if proration and isinstance(given_amount, int) and given_amount < 0:
        # a subscription's credit for unused time: checked as its magnitude
        unit_amount = -check_unit_amount(-given_amount, param=f"{param}[unit_amount]")
    else:
        unit_amount = check_unit_amount(given_amount, param=f"{param}[unit_amount]")
    category = str(pick("tax_category", TaxCategory.STANDARD.value))
    _choice(
        category,
        [c.value for c in TaxCategory],
        param=f"{param}[tax_category]",
        what="tax category",
    )
    behavior = str(pick("tax_behavior", TaxBehavior.EXCLUSIVE.value))
    _choice(
        behavior,
        [b.value for b in TaxBehavior],
        param=f"{param}[tax_behavior]",
        what="tax behavior",
    )
    sku = pick("sku", None, nullable=True)
    default_kind = LineKind.GOODS if sku else LineKind.SERVICES
    kind = str(pick("kind", default_kind.value))
    _choice(kind, [k.value for k in LineKind], param=f"{param}[kind]", what="kind")
    unit = str(pick("unit", LineUnit.PIECE.value))
    _choice(unit, [u.value for u in LineUnit], param=f"{param}[unit]", what="unit")
    amount = line_amount(quantity, unit_amount)
    discount = check_discount(
        pick("discount_amount", 0),
        amount,
        param=f"{param}[discount_amount]",
    )
    reason = pick("exemption_reason", None, nullable=True)
    if category == TaxCategory.EXEMPT.value and not reason:
        raise InvalidRequest(
            "A line of tax_category exempt needs its exemption_reason (e.g. the article of "
            "the VAT law that exempts it).",
            code="tax_exemption_reason_missing",
            param=f"{param}[exemption_reason]",
        )
    given = inp.metadata
    if base is None:
        metadata = validate_metadata(dict(given) if isinstance(given, Mapping) else {})
    elif isinstance(given, Unset):
        metadata = base.metadata
    else:  # null clears, a map merges ("" removes a key), as at Stripe
        metadata = update_metadata(base.metadata, None if given is None else dict(given))
    return InvoiceLine(
        id=base.id if base is not None else id_for("invoice_line"),
        invoice_id=invoice_id,
        position=position,
        description=description.strip(),
        quantity=format_quantity(quantity),
        unit_amount=unit_amount,
        amount=amount,
        discount_amount=discount,
        tax_category=category,
        tax_behavior=behavior,
        kind=kind,
        unit=unit,
        sku=str(sku) if sku else None,
        exemption_reason=str(reason) if reason else None,
        metadata=metadata,
        created=base.created if base is not None else clock.now(),
        proration=proration or (base is not None and base.proration),
    )


def _one_behavior(lines: Sequence[InvoiceLine], params: dict[str, str]) -> None:
    """Net and gross prices do not mix on one invoice (the tax engine's rule)."""
    if not lines:
        return
    first = lines[0].tax_behavior
    for line in lines:
        if line.tax_behavior != first:
            raise InvalidRequest(
                f"All lines of an invoice have the same tax_behavior: this one has {first} "
                f"lines, the line given is {line.tax_behavior}.",
                code="tax_behavior_mixed",
                param=params.get(line.id, "lines"),
            )


async def _default_method(uow: UnitOfWork, value: str | None, ctx: RequestContext) -> str | None:
    if not value:
        return None
    pm = await visible_payment_method(uow, value, ctx, param="default_payment_method")
    return pm.id


def new_draft(
    cmd: CreateInvoice,
    *,
    location: Location,
    entity: LegalEntity,
    customer_id: str,
    default_payment_method: str | None,
    clock: Clock,
) -> tuple[Invoice, list[InvoiceLine]]:
    """The draft ``cmd`` describes for its shop, seller and customer (read and checked
    by the caller), every line checked; not yet priced nor stored."""
    days = _terms(cmd.collection_method, cmd.days_until_due)
    currency = _currency(cmd.currency or location.default_currency)
    check_currency(currency, location)
    invoice = Invoice(
        id=id_for("invoice"),
        status=InvoiceStatus.DRAFT,
        location_id=location.id,
        legal_entity_id=entity.id,
        customer_id=customer_id,
        currency=currency,
        collection_method=cmd.collection_method,
        days_until_due=days,
        footer=cmd.footer or None,
        description=cmd.description or None,
        default_payment_method=default_payment_method,
        metadata=validate_metadata(dict(cmd.metadata)),
        created=clock.now(),
        invoice_type=cmd.invoice_type,
    )
    sub = cmd.subscription
    if sub is not None:
        invoice.subscription_id = sub.subscription
        invoice.billing_reason = sub.billing_reason
        invoice.period_start, invoice.period_end = sub.period_start, sub.period_end
        invoice.subscription_period = sub.subscription_period
    lines = [
        new_line(inp, param=f"lines[{i}]", invoice_id=invoice.id, position=i, clock=clock)
        for i, inp in enumerate(cmd.lines)
    ]
    _one_behavior(lines, {line.id: f"lines[{i}][tax_behavior]" for i, line in enumerate(lines)})
    return invoice, lines


async def _draft_of(
    uow: UnitOfWork, cmd: CreateInvoice, *, clock: Clock, ctx: RequestContext
) -> tuple[Invoice, list[InvoiceLine], Location, LegalEntity, Customer]:
    """The draft ``cmd`` describes, with the shop, seller and customer it was made for
    (read and checked in the caller's transaction)."""
    location = await shop(uow, ctx, cmd.location)
    entity = await seller_of(uow, location)
    customer = await customer_of(uow, ctx, cmd.customer)
    check_currency(_currency(cmd.currency or location.default_currency), location)
    invoice, lines = new_draft(
        cmd,
        location=location,
        entity=entity,
        customer_id=customer.id,
        default_payment_method=await _default_method(uow, cmd.default_payment_method, ctx),
        clock=clock,
    )
    return invoice, lines, location, entity, customer


async def create_invoice(
    cmd: CreateInvoice,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
    parts: PartCatalogue | None = None,
) -> tuple[Invoice, list[InvoiceLine]]:
    """``parts``: the catalogue that prices lines given by ``sku`` alone."""
    ctx.require(Permission.write_payments)
    _terms(cmd.collection_method, cmd.days_until_due)  # checked before anything is read
    validate_metadata(dict(cmd.metadata))
    if len(cmd.lines) > MAX_LINES:
        raise InvalidRequest(f"At most {MAX_LINES} lines per invoice.", param="lines")
    if needs_pricing(cmd.lines):  # ask the catalogue first, with no transaction open
        async with uow_factory() as uow:
            location = await shop(uow, ctx, cmd.location)
        currency = _currency(cmd.currency or location.default_currency)
        priced = await priced_lines(cmd.lines, parts, currency=currency, location_id=location.id)
        cmd = replace(cmd, lines=priced)
    async with uow_factory() as uow:
        earlier = await created_earlier(uow, ctx, "invoice")
        sub = cmd.subscription
        if earlier is None and sub is not None and sub.subscription_period is not None:
            found = await uow.repo(InvoiceRepository).of_subscription_period(
                sub.subscription, sub.subscription_period
            )
            earlier = found.id if found is not None else None
        if earlier is not None:  # a retry after a crash: the invoice exists already
            invoice = await visible_invoice(uow, earlier, ctx)
            return invoice, await lines_of(uow, invoice.id)
        invoice, lines, *_ = await _draft_of(uow, cmd, clock=clock, ctx=ctx)
        await reprice_draft(uow, invoice, lines, now=clock.now(), ctx=ctx)
        await uow.repo(InvoiceRepository).add(invoice)
        await uow.repo(InvoiceLineRepository).add_all(lines)
        await remember_created(uow, ctx, "invoice", invoice.id)
        await record_event(
            uow,
            "invoice.created",
            invoice_object(invoice, lines),
            ctx=ctx,
            clock=clock,
            location_id=invoice.location_id,
        )
        await uow.commit()
    return invoice, lines


async def _draft(
    uow: UnitOfWork, invoice_id: str, ctx: RequestContext
) -> tuple[Invoice, list[InvoiceLine]]:
    """The invoice, locked, if it is still a draft (else ``invoice_unexpected_state``)."""
    invoice = await visible_invoice(uow, invoice_id, ctx, for_update=True)
    invoice_transition(invoice.status, InvoiceOperation.UPDATE)
    return invoice, await lines_of(uow, invoice.id)


async def _save_draft(
    uow: UnitOfWork,
    before: Invoice,
    before_lines: list[InvoiceLine],
    invoice: Invoice,
    lines: list[InvoiceLine],
    *,
    removed: Sequence[str] = (),
    added: Sequence[InvoiceLine] = (),
    clock: Clock,
    ctx: RequestContext,
) -> None:
    old, new = invoice_object(before, before_lines), invoice_object(invoice, lines)
    previous = {k: old[k] for k in new if old[k] != new[k]}
    if not previous:
        return
    await uow.repo(InvoiceRepository).save(invoice)
    lines_repo = uow.repo(InvoiceLineRepository)
    await lines_repo.delete(list(removed))
    await lines_repo.add_all(list(added))
    added_ids = {line.id for line in added}
    await lines_repo.save_all([line for line in lines if line.id not in added_ids])
    await record_event(
        uow,
        "invoice.updated",
        new,
        ctx=ctx,
        clock=clock,
        location_id=invoice.location_id,
        previous_attributes=previous,
    )


async def update_invoice(
    cmd: UpdateInvoice, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> tuple[Invoice, list[InvoiceLine]]:
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        current, lines = await _draft(uow, cmd.id, ctx)
        before_lines = [replace(line) for line in lines]
        invoice = replace(current)
        if not isinstance(cmd.currency, Unset):
            invoice.currency = _currency(cmd.currency)
            location = await shop(uow, ctx, invoice.location_id)
            check_currency(invoice.currency, location)
        if not (isinstance(cmd.collection_method, Unset) and isinstance(cmd.days_until_due, Unset)):
            method = (
                invoice.collection_method
                if isinstance(cmd.collection_method, Unset)
                else cmd.collection_method
            )
            keep = invoice.days_until_due if method == invoice.collection_method else None
            invoice.collection_method = method
            invoice.days_until_due = _terms(
                method, keep if isinstance(cmd.days_until_due, Unset) else cmd.days_until_due
            )
        if not isinstance(cmd.footer, Unset):
            invoice.footer = cmd.footer or None
        if not isinstance(cmd.description, Unset):
            invoice.description = cmd.description or None
        if not isinstance(cmd.default_payment_method, Unset):
            invoice.default_payment_method = await _default_method(
                uow, cmd.default_payment_method, ctx
            )
        if not isinstance(cmd.metadata, Unset):  # null clears it, as at Stripe
            update = None if cmd.metadata is None else dict(cmd.metadata)
            invoice.metadata = update_metadata(invoice.metadata, update)
        await reprice_draft(uow, invoice, lines, now=clock.now(), ctx=ctx)
        await _save_draft(uow, current, before_lines, invoice, lines, clock=clock, ctx=ctx)
        await uow.commit()
    return invoice, lines


async def add_lines(
    cmd: AddLines,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
    parts: PartCatalogue | None = None,
) -> tuple[Invoice, list[InvoiceLine]]:
    ctx.require(Permission.write_payments)
    if not cmd.lines:
        raise InvalidRequest(
            "Missing required param: lines.", code="parameter_missing", param="lines"
        )
    priced_in = None
    if needs_pricing(cmd.lines):  # ask the catalogue first, with no transaction open
        async with uow_factory() as uow:
            draft = await visible_invoice(uow, cmd.id, ctx)
        priced_in = draft.currency
        priced = await priced_lines(
            cmd.lines, parts, currency=draft.currency, location_id=draft.location_id
        )
        cmd = replace(cmd, lines=priced)
    async with uow_factory() as uow:
        current, lines = await _draft(uow, cmd.id, ctx)
        if priced_in is not None and current.currency != priced_in:
            raise Conflict(
                "The invoice's currency changed while its lines were priced: send them again.",
                code="invoice_changed",
            )
        if len(lines) + len(cmd.lines) > MAX_LINES:
            raise InvalidRequest(f"At most {MAX_LINES} lines per invoice.", param="lines")
        before_lines = [replace(line) for line in lines]
        start = max((line.position for line in lines), default=-1) + 1
        added = [
            new_line(
                inp, param=f"lines[{i}]", invoice_id=current.id, position=start + i, clock=clock
            )
            for i, inp in enumerate(cmd.lines)
        ]
        all_lines = lines + added
        _one_behavior(all_lines, {x.id: f"lines[{i}][tax_behavior]" for i, x in enumerate(added)})
        invoice = replace(current)
        await reprice_draft(uow, invoice, all_lines, now=clock.now(), ctx=ctx)
        await _save_draft(
            uow, current, before_lines, invoice, all_lines, added=added, clock=clock, ctx=ctx
        )
        await uow.commit()
    return invoice, all_lines


async def remove_lines(
    cmd: RemoveLines, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> tuple[Invoice, list[InvoiceLine]]:
    ctx.require(Permission.write_payments)
    if not cmd.line_ids:
        raise InvalidRequest(
            "Missing required param: lines.", code="parameter_missing", param="lines"
        )
    async with uow_factory() as uow:
        current, lines = await _draft(uow, cmd.id, ctx)
        before_lines = [replace(line) for line in lines]
        known = {line.id for line in lines}
        for i, line_id in enumerate(cmd.line_ids):
            if line_id not in known:
                raise NotFound.of("invoice line", line_id, param=f"lines[{i}][id]")
        kept = [line for line in lines if line.id not in set(cmd.line_ids)]
        invoice = replace(current)
        await reprice_draft(uow, invoice, kept, now=clock.now(), ctx=ctx)
        await _save_draft(
            uow, current, before_lines, invoice, kept, removed=cmd.line_ids, clock=clock, ctx=ctx
        )
        await uow.commit()
    return invoice, kept


async def update_lines(
    cmd: UpdateLines, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> tuple[Invoice, list[InvoiceLine]]:
    ctx.require(Permission.write_payments)
    if not cmd.lines:
        raise InvalidRequest(
            "Missing required param: lines.", code="parameter_missing", param="lines"
        )
    async with uow_factory() as uow:
        current, lines = await _draft(uow, cmd.id, ctx)
        before_lines = [replace(line) for line in lines]
        by_id = {line.id: line for line in lines}
        changed: dict[str, InvoiceLine] = {}
        params: dict[str, str] = {}
        for i, change in enumerate(cmd.lines):
            base = by_id.get(change.id)
            if base is None:
                raise NotFound.of("invoice line", change.id, param=f"lines[{i}][id]")
            changed[base.id] = new_line(
                change,
                param=f"lines[{i}]",
                invoice_id=current.id,
                position=base.position,
                clock=clock,
                base=base,
            )
            params[base.id] = f"lines[{i}][tax_behavior]"
        updated = [changed.get(line.id, line) for line in lines]
        _one_behavior(
            sorted(updated, key=lambda x: x.id not in changed), params
        )  # a changed line first: the others are measured against it
        invoice = replace(current)
        await reprice_draft(uow, invoice, updated, now=clock.now(), ctx=ctx)
        await _save_draft(uow, current, before_lines, invoice, updated, clock=clock, ctx=ctx)
        await uow.commit()
    return invoice, updated


async def retrieve_invoice(
    invoice_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> tuple[Invoice, list[InvoiceLine]]:
    async with uow_factory() as uow:
        invoice = await visible_invoice(uow, invoice_id, ctx)
        return invoice, await lines_of(uow, invoice.id)


async def list_invoices(
    query: ListInvoices, page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[tuple[Invoice, list[InvoiceLine]]]:
    async with uow_factory() as uow:
        found = await uow.repo(InvoiceRepository).list_page(
            page,
            equals={
                "customer_id": query.customer,
                "status": query.status,
                "subscription_id": query.subscription,
            },
            created=query.created,
            location_id=ctx.list_location(query.location),
            due_date=query.due_date,
        )
        lines = uow.repo(InvoiceLineRepository)
        return Page([(i, await lines.of_invoice(i.id)) for i in found.data], found.has_more)


async def invoices_by_id(
    invoice_ids: Sequence[str], *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> dict[str, tuple[Invoice, list[InvoiceLine]]]:
    """The invoices among ``invoice_ids`` the key may see, with their lines, by id (what
    ``expand[]=invoice`` shows; an invoice of another shop stays an id)."""
    async with uow_factory() as uow:
        found = await uow.repo(InvoiceRepository).many(list(dict.fromkeys(invoice_ids)))
        lines = uow.repo(InvoiceLineRepository)
        return {
            i.id: (i, await lines.of_invoice(i.id))
            for i in found
            if ctx.principal.sees_location(i.location_id)
        }


async def issue_invoice(
    uow: UnitOfWork, cmd: CreateInvoice, *, clock: Clock, ctx: RequestContext
) -> tuple[Invoice, list[InvoiceLine], list[tuple[str, dict[str, object]]]]:
    """Create and finalize the invoice ``cmd`` describes in the caller's transaction (a
    subscription's renewal: made, numbered and posted at once, or not at all): the same
    checks, amounts, number and posting as :func:`create_invoice` then
    ``finalize_invoice``, with its shop, seller and customer read once. Its lines must
    carry their prices (no part catalogue here). Returns the invoice, its lines and the
    events to record in this transaction, in order (``invoice.created`` with the draft,
    then finalization's)."""
    ctx.require(Permission.write_payments)
    if len(cmd.lines) > MAX_LINES:
        raise InvalidRequest(f"At most {MAX_LINES} lines per invoice.", param="lines")
    if needs_pricing(cmd.lines):
        raise InvalidRequest("Every line of a renewal invoice has its price.", param="lines")
    draft, lines, location, entity, customer = await _draft_of(uow, cmd, clock=clock, ctx=ctx)
    buyer = await buyer_tax(uow, customer, fallback_country=entity.country)
    # the draft's amounts (as reprice_draft sets them), for its invoice.created
    apply_amounts(
        draft,
        lines,
        buyer=buyer.party,
        seller=seller_party(entity),
        tax_point=local_date(clock.now(), location),
    )
    created = invoice_object(draft, lines)
    invoice, events = await finalize_draft(
        uow,
        draft,
        lines,
        location=location,
        entity=entity,
        customer=customer,
        clock=clock,
        buyer=buyer,
        insert=True,
    )
    return invoice, lines, [("invoice.created", created), *events]
