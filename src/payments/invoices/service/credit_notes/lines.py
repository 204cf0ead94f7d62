"""A credit note's lines: given (invoice lines credited, custom lines), or an ``amount``
spread over the invoice's VAT groups; validated against what is left to credit."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from payments.invoices.domain.commands import CreditLineInput
from payments.invoices.domain.credit_note import allocate_proportionally, prorated
from payments.invoices.domain.document import buyer_vat_id
from payments.invoices.domain.lines import (
    LineKind,
    LineUnit,
    check_unit_amount,
    format_quantity,
    line_amount,
    parse_quantity,
)
from payments.invoices.domain.model import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from payments.invoices.repository import CreditNoteLineRepository
from payments.kernel.clock import Clock
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.ids import id_for
from payments.platform.db.uow import UnitOfWork
from payments.tax.domain import TaxBehavior, TaxCategory, TaxExempt, TaxParty


def _parties(invoice: Invoice) -> tuple[TaxParty, TaxParty]:
    """Seller and buyer as the invoice was issued (a credit note's tax is the invoice's)."""
    seller = invoice.seller or {}
    address = invoice.customer_address or {}
    return (
        TaxParty(country=seller["address"]["country"], vat_id=seller.get("vat_id")),
        TaxParty(
            country=address.get("country") or seller["address"]["country"],
            vat_id=buyer_vat_id(invoice.customer_tax_ids),
            tax_exempt=TaxExempt(invoice.customer_tax_exempt or TaxExempt.NONE.value),
        ),
    )


def _credit_line(
    note_id: str,
    position: int,
    *,
    type_: str,
    description: str,
    quantity: Decimal,
    unit_amount: int,
    discount: int,
    like: InvoiceLine | None,
    tax_category: str,
    tax_behavior: str,
    kind: str,
    exemption_reason: str | None,
    clock: Clock,
) -> CreditNoteLine:
    return CreditNoteLine(
        id=id_for("credit_note_line"),
        credit_note_id=note_id,
        position=position,
        type=type_,
        invoice_line_item=like.id if like is not None and type_ == "invoice_line_item" else None,
        description=description,
        quantity=format_quantity(quantity),
        unit_amount=unit_amount,
        amount=line_amount(quantity, unit_amount),
        discount_amount=discount,
        tax_category=tax_category,
        tax_behavior=tax_behavior,
        kind=kind,
        unit=like.unit
        if like is not None and type_ == "invoice_line_item"
        else LineUnit.PIECE.value,
        exemption_reason=exemption_reason,
        created=clock.now(),
    )


def _lines_by_amount(
    note_id: str, amount: int, invoice: Invoice, inv_lines: Sequence[InvoiceLine], clock: Clock
) -> list[CreditNoteLine]:
    """``amount`` (gross) spread over the invoice's VAT groups in proportion to their
    gross, one inclusive line per group, treated like the group's first invoice line."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidRequest(
            "Invalid amount: a positive integer of minor units.",
            code="parameter_invalid_integer",
            param="amount",
        )
    groups = [g for g in invoice.tax_breakdown if g["taxable_amount"] + g["amount"] > 0]
    if not groups:
        raise InvalidRequest("This invoice has nothing to credit.", param="amount")
    shares = allocate_proportionally(amount, [g["taxable_amount"] + g["amount"] for g in groups])
    out: list[CreditNoteLine] = []
    for group, share in zip(groups, shares, strict=True):
        if share <= 0:
            continue
        like = next(
            x
            for x in inv_lines
            if x.category_code == group["category"] and x.tax_rate == group["rate"]
        )
        label = f"Credit on invoice {invoice.number}"
        if len(groups) > 1:
            label += f" (VAT {group['category']} {group['rate']}%)"
        out.append(
            _credit_line(
                note_id,
                len(out),
                type_="custom_line_item",
                description=label,
                quantity=Decimal(1),
                unit_amount=share,
                discount=0,
                like=like,
                tax_category=like.tax_category,
                tax_behavior=TaxBehavior.INCLUSIVE.value,
                kind=like.kind,
                exemption_reason=like.exemption_reason,
                clock=clock,
            )
        )
    return out


def _lines_given(
    note_id: str,
    given: Sequence[CreditLineInput],
    inv_lines: Sequence[InvoiceLine],
    credited: dict[str, Decimal],
    clock: Clock,
) -> list[CreditNoteLine]:
    by_id = {x.id: x for x in inv_lines}
    behavior = inv_lines[0].tax_behavior if inv_lines else TaxBehavior.EXCLUSIVE.value
    taken: dict[str, Decimal] = {}
    out: list[CreditNoteLine] = []
    for i, item in enumerate(given):
        param = f"lines[{i}]"
        if item.type == "invoice_line_item":
            line = by_id.get(item.invoice_line_item or "")
            if line is None:
                raise NotFound.of(
                    "invoice line",
                    item.invoice_line_item or "",
                    param=f"{param}[invoice_line_item]",
                )
            whole = Decimal(line.quantity)
            left = whole - credited.get(line.id, Decimal(0)) - taken.get(line.id, Decimal(0))
            quantity = (
                parse_quantity(item.quantity, param=f"{param}[quantity]")
                if item.quantity is not None
                else left
            )
            if quantity <= 0 or quantity > left:
                raise InvalidRequest(
                    f"Only {format_quantity(max(left, Decimal(0)))} of this line's quantity "
                    f"({line.quantity}) is left to credit.",
                    code="amount_too_large",
                    param=f"{param}[quantity]",
                )
            taken[line.id] = taken.get(line.id, Decimal(0)) + quantity
            discount = (
                line.discount_amount
                if quantity == whole
                else prorated(line.discount_amount, quantity, whole)
            )
            out.append(
                _credit_line(
                    note_id,
                    i,
                    type_="invoice_line_item",
                    description=line.description,
                    quantity=quantity,
                    unit_amount=line.unit_amount,
                    discount=min(discount, line_amount(quantity, line.unit_amount)),
                    like=line,
                    tax_category=line.tax_category,
                    tax_behavior=line.tax_behavior,
                    kind=line.kind,
                    exemption_reason=line.exemption_reason,
                    clock=clock,
                )
            )
        elif item.type == "custom_line_item":
            if not item.description:
                raise InvalidRequest(
                    f"Missing required param: {param}[description].",
                    code="parameter_missing",
                    param=f"{param}[description]",
                )
            if item.unit_amount is None:
                raise InvalidRequest(
                    f"Missing required param: {param}[unit_amount].",
                    code="parameter_missing",
                    param=f"{param}[unit_amount]",
                )
            quantity = parse_quantity(item.quantity or "1", param=f"{param}[quantity]")
            category = item.tax_category or TaxCategory.STANDARD.value
            if category not in {c.value for c in TaxCategory}:
                raise InvalidRequest(
                    f"Unknown tax category {category!r}; use one of "
                    + ", ".join(c.value for c in TaxCategory)
                    + ".",
                    param=f"{param}[tax_category]",
                )
            kind = item.kind or LineKind.SERVICES.value
            if kind not in {k.value for k in LineKind}:
                raise InvalidRequest(f"Unknown kind {kind!r}.", param=f"{param}[kind]")
            if category == TaxCategory.EXEMPT.value and not item.exemption_reason:
                raise InvalidRequest(
                    "A line of tax_category exempt needs its exemption_reason.",
                    code="tax_exemption_reason_missing",
                    param=f"{param}[exemption_reason]",
                )
            out.append(
                _credit_line(
                    note_id,
                    i,
                    type_="custom_line_item",
                    description=item.description,
                    quantity=quantity,
                    unit_amount=check_unit_amount(item.unit_amount, param=f"{param}[unit_amount]"),
                    discount=0,
                    like=None,
                    tax_category=category,
                    tax_behavior=behavior,
                    kind=kind,
                    exemption_reason=item.exemption_reason,
                    clock=clock,
                )
            )
        else:
            raise InvalidRequest(
                f"Invalid {param}[type]: invoice_line_item or custom_line_item.",
                param=f"{param}[type]",
            )
    return out


async def _credited_quantities(uow: UnitOfWork, notes: Sequence[CreditNote]) -> dict[str, Decimal]:
    lines = await uow.repo(CreditNoteLineRepository).of_credit_notes([n.id for n in notes])
    out: dict[str, Decimal] = {}
    for line in lines:
        if line.invoice_line_item is not None:
            key = line.invoice_line_item
            out[key] = out.get(key, Decimal(0)) + Decimal(line.quantity)
    return out
