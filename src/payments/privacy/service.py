"""GDPR use cases: export everything we hold about a customer, erase (pseudonymise) it,
and finish erasures whose legal retention has ended.

What erasure keeps, and why: invoices, credit notes and the ledger are kept for the
retention period of the seller's country (commercial and tax law; GDPR Art. 17(3)(b));
the billing details frozen on invoices are pseudonymised only when it ends (the retention
job). The audit trail keeps its records (append-only, hash-chained: the proof of who
did what, Art. 17(3)(e)); they name objects by id. Everything else is pseudonymised at
once: the customer, their payment methods' billing details, receipt e-mails, fraud
signals, every event payload about them, webhook delivery logs of those events and the
stored responses of idempotent requests that made their objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import orjson

from payments.audit.service import record_audit
from payments.invoices.service.documents import (
    DocumentFormat,
    invoice_document_of,
    rendered,
)
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound, PermissionDenied
from payments.kernel.ids import id_for
from payments.platform.db.uow import UnitOfWorkFactory
from payments.privacy.domain import (
    Erasure,
    ErasureStatus,
    personal_values,
    retention_end,
)
from payments.privacy.repository import PrivacyRepository

RetentionYears = Callable[[str | None, str | None], int]  # (country, legal entity) -> years


def _authorize(ctx: RequestContext) -> None:
    ctx.require(Permission.manage_personal_data)
    if ctx.principal.location_id is not None:
        raise PermissionDenied(
            "Data subject requests need a key that is not restricted to a shop.",
            code="insufficient_permissions",
        )


def _object_ids(customer_id: str, held: dict[str, list[dict[str, Any]]]) -> list[str]:
    kinds = (
        "payment_methods",
        "payment_intents",
        "charges",
        "refunds",
        "disputes",
        "invoices",
        "credit_notes",
        "subscriptions",
        "tax_ids",
    )
    return [customer_id, *(row["id"] for kind in kinds for row in held[kind])]


def erasure_object(erasure: Erasure) -> dict[str, Any]:
    return {
        "id": erasure.id,
        "object": "customer_erasure",
        "customer": erasure.customer_id,
        "status": erasure.status.value,
        "source": erasure.source,
        "requested_at": int(erasure.requested_at.timestamp()),
        "completed_at": int(erasure.completed_at.timestamp()) if erasure.completed_at else None,
        "retained_until": erasure.retained_until.isoformat() if erasure.retained_until else None,
        "pseudonymised": erasure.counts,
    }


async def export_customer_data(
    customer_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> dict[str, Any]:
    """Everything we hold about the customer (GDPR Art. 15 and 20), audited."""
    _authorize(ctx)
    async with uow_factory() as uow:
        repo = uow.repo(PrivacyRepository)
        customer = await repo.customer(customer_id)
        if customer is None:
            raise NotFound.of("customer", customer_id)
        held = await repo.holdings(customer_id)
        ids = _object_ids(customer_id, held)
        export = {
            "object": "customer_data_export",
            "generated": int(clock.now().timestamp()),
            "customer": customer,
            **held,
            "events": await repo.events_about(ids),
            "audit_log": await repo.audit_about(ids),
            "erasure": (erasure_object(e) if (e := await repo.erasure_of(customer_id)) else None),
        }
        await record_audit(
            uow,
            "customer.data_exported",
            object_type="customer",
            object_id=customer_id,
            ctx=ctx,
            clock=clock,
            after={"records": sum(len(v) for v in held.values()) + 1},
        )
        await uow.commit()
    # JSON as it will be sent (keys as strings, exact numbers as text)
    normal: dict[str, Any] = orjson.loads(
        orjson.dumps(export, option=orjson.OPT_NON_STR_KEYS, default=str)
    )
    return normal


async def invoice_pdfs(
    export: dict[str, Any], *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> list[tuple[str, bytes]]:
    """The PDF of every issued invoice in an export: (file name, bytes)."""
    files = []
    for invoice in export["invoices"]:
        if invoice["status"] == "draft":
            continue
        doc = await invoice_document_of(invoice["id"], uow_factory=uow_factory, ctx=ctx)
        name = (invoice.get("number") or invoice["id"]).replace("/", "-")
        files.append((f"invoices/{name}.pdf", await rendered(doc, DocumentFormat.PDF)))
    return files


async def erase_customer(
    customer_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
    retention_years: RetentionYears,
    source: str = "api",
) -> Erasure:
    """Pseudonymise the customer's personal data everywhere it appears (GDPR Art. 17),
    keeping what the law requires until its retention ends. Idempotent: a second request
    answers the first erasure. Refused (400, nothing written) while the customer has an
    open dispute, an unpaid invoice or a live subscription."""
    _authorize(ctx)
    now = clock.now()
    async with uow_factory() as uow:
        repo = uow.repo(PrivacyRepository)
        await repo.lock_customer(customer_id)
        customer = await repo.customer(customer_id)
        if customer is None:
            raise NotFound.of("customer", customer_id)
        existing = await repo.erasure_of(customer_id)
        if existing is not None:
            return existing
        if disputed := await repo.open_disputes(customer_id):
            raise InvalidRequest(
                f"The customer has an open dispute ({disputed[0]}): erasure waits until it "
                "is closed (the evidence may need their data).",
                code="customer_has_open_dispute",
                param="customer",
            )
        if unpaid := await repo.unpaid_invoices(customer_id):
            raise InvalidRequest(
                f"The customer has an unpaid invoice ({unpaid[0]}): collect, void or mark it "
                "uncollectible first.",
                code="customer_has_unpaid_invoice",
                param="customer",
            )
        if live := await repo.live_subscriptions(customer_id):
            raise InvalidRequest(
                f"The customer has a live subscription ({live[0]}): cancel it first.",
                code="customer_has_active_subscription",
                param="customer",
            )
        held = await repo.holdings(customer_id)
        ids = _object_ids(customer_id, held)
        values = personal_values(
            [
                customer.get("name"),
                customer.get("email"),
                customer.get("phone"),
                customer.get("address"),
                *(pm.get("billing_details") for pm in held["payment_methods"]),
                *(pi.get("receipt_email") for pi in held["payment_intents"]),
                *(t.get(k) for t in held["tax_ids"] for k in ("verified_name", "verified_address")),
                *(i.get(k) for i in held["invoices"] for k in ("customer_name", "customer_email")),
            ]
        )
        counts = {"customers": 1}
        await repo.erase_customer(customer_id, now)
        counts |= await repo.erase_payments(customer_id, values, [c["id"] for c in held["charges"]])
        counts |= await repo.erase_events(ids, values)
        kept = await repo.retained_invoices(customer_id)
        until = max(
            (retention_end(issued, retention_years(country, le)) for issued, le, country in kept),
            default=None,
        )
        if until is None or until < now.date():
            counts["invoices"] = await repo.erase_invoice_snapshots(customer_id)
            status, completed = ErasureStatus.COMPLETED, now
        else:
            status, completed = ErasureStatus.SCHEDULED, None
        erasure = Erasure(
            id=id_for("erasure"),
            customer_id=customer_id,
            status=status,
            source=source,
            requested_at=now,
            completed_at=completed,
            retained_until=until,
            counts=counts,
        )
        await repo.add_erasure(erasure)
        await record_audit(
            uow,
            "customer.erased",
            object_type="customer",
            object_id=customer_id,
            ctx=ctx,
            clock=clock,
            after={
                "erasure": erasure.id,
                "status": status.value,
                "retained_until": until.isoformat() if until else None,
                "source": source,
            },
        )
        await uow.commit()
    return erasure


async def finish_due_erasures(
    *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext, limit: int = 100
) -> int:
    """The retention job: erasures whose retention ended get the billing details frozen
    on their invoices pseudonymised, and are completed. Returns how many."""
    today: date = clock.now().date()
    async with uow_factory() as uow:
        repo = uow.repo(PrivacyRepository)
        due = await repo.due_erasures(today, limit)
        for erasure in due:
            invoices = await repo.erase_invoice_snapshots(erasure.customer_id)
            done = replace(
                erasure,
                status=ErasureStatus.COMPLETED,
                completed_at=clock.now(),
                counts=erasure.counts | {"invoices": invoices},
            )
            await repo.save_erasure(done)
            await record_audit(
                uow,
                "customer.erasure_completed",
                object_type="customer",
                object_id=erasure.customer_id,
                ctx=ctx,
                clock=clock,
                after={"erasure": erasure.id, "invoices": invoices},
            )
        await uow.commit()
    return len(due)
