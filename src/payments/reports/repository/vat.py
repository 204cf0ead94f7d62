"""The VAT report: invoices and credit notes of a period, as documents (SQLite) or as lines
summed in SQL (PostgreSQL)."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import sqlalchemy as sa

from payments.invoices.tables import credit_notes, invoices
from payments.platform.db.uow import Repository
from payments.reports.domain.summary import Period
from payments.reports.domain.vat import VatDocument, VatLine, vat_groups
from payments.reports.repository._shared import _bounds


class VatQueries(Repository):
    async def vat_documents(
        self, period: Period, *, legal_entity: str | None, location: str | None
    ) -> list[VatDocument]:
        """Invoices with their tax point and credit notes issued in the period (and those
        voided in it, negated), with the buyer details the VAT report sorts them by."""
        start, end = _bounds(period)
        inv = invoices
        buyer = [inv.c.customer_address, inv.c.customer_tax_ids, inv.c.seller]
        docs: list[VatDocument] = []

        def _filters(table: Any) -> list[Any]:
            out = []
            if legal_entity:
                out.append(table.c.legal_entity_id == legal_entity)
            if location:
                out.append(table.c.location_id == location)
            return out

        rows = await self._conn.execute(
            sa.select(
                inv.c.id,
                inv.c.number,
                inv.c.currency,
                inv.c.tax_breakdown,
                inv.c.tax_point,
                inv.c.voided_at,
                *buyer,
            ).where(
                inv.c.tax_point.is_not(None),
                sa.or_(
                    sa.and_(inv.c.tax_point >= period.start, inv.c.tax_point <= period.end),
                    sa.and_(inv.c.voided_at >= start, inv.c.voided_at < end),
                ),
                *_filters(inv),
            )
        )
        for row in rows.all():
            if period.start <= row.tax_point <= period.end:
                docs.append(_document("invoice", row, row.tax_point, 1))
            if row.voided_at is not None and start <= row.voided_at < end:
                docs.append(_document("invoice", row, row.voided_at.date(), -1))
        cn = credit_notes
        rows = await self._conn.execute(
            sa.select(
                cn.c.id,
                cn.c.number,
                cn.c.currency,
                cn.c.tax_breakdown,
                cn.c.issue_date,
                cn.c.voided_at,
                *buyer,
            )
            .select_from(cn.join(inv, inv.c.id == cn.c.invoice_id))
            .where(
                sa.or_(
                    sa.and_(cn.c.issue_date >= period.start, cn.c.issue_date <= period.end),
                    sa.and_(cn.c.voided_at >= start, cn.c.voided_at < end),
                ),
                *_filters(cn),
            )
        )
        for row in rows.all():
            if period.start <= row.issue_date <= period.end:
                docs.append(_document("credit_note", row, row.issue_date, -1))
            if row.voided_at is not None and start <= row.voided_at < end:
                docs.append(_document("credit_note", row, row.voided_at.date(), 1))
        return docs

    async def vat_lines(
        self, period: Period, *, legal_entity: str | None, location: str | None
    ) -> list[VatLine]:
        """PostgreSQL: :meth:`vat_documents` summed by the database (each document's
        ``tax_breakdown`` unnested with ``jsonb_array_elements``), as :class:`VatLine`\\ s:
        a few rows per country, rate and buyer instead of every document of the period."""
        start, end = _bounds(period)
        params: dict[str, Any] = {"first": period.start, "last": period.end, "start": start}
        params["end"] = end

        def only(alias: str) -> str:
            out = ""
            if legal_entity:
                out += f" AND {alias}.legal_entity_id = :legal_entity"
                params["legal_entity"] = legal_entity
            if location:
                out += f" AND {alias}.location_id = :location"
                params["location"] = location
            return out

        # the planner guesses 100 VAT groups per document and would spend seconds on JIT
        await self._conn.execute(sa.text("SET LOCAL jit = off"))
        rows = await self._conn.execute(
            sa.text(_VAT_LINES.format(invoices=only("i"), credit_notes=only("cn"), vat_id=_VAT_ID)),
            params,
        )
        return [
            VatLine(
                r.object,
                int(r.sign),
                r.currency,
                r.seller_country,
                r.buyer_country,
                r.buyer_vat_id,
                r.country,
                r.category,
                r.rate,
                int(r.taxable_amount),
                int(r.tax_amount),
                int(r.documents),
            )
            for r in rows.all()
        ]


#: The buyer's VAT id: the first of its tax ids whose type ends in ``_vat``, with a value.
_VAT_ID: Final = """(SELECT t.value ->> 'value'
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(d.customer_tax_ids) = 'array'
                              THEN d.customer_tax_ids ELSE '[]'::jsonb END)
         WITH ORDINALITY AS t(value, n)
    WHERE t.value ->> 'type' LIKE '%\\_vat' AND COALESCE(t.value ->> 'value', '') <> ''
    ORDER BY t.n LIMIT 1)"""


#: Invoices on their tax point (+) and voided (-), credit notes issued (-) and voided (+)
#: in the period; ``counted``: the document's first appearance (a document issued and
#: voided in the same period is one document).
_VAT_LINES: Final = """
WITH d AS (
    SELECT 'invoice' AS object, i.id, 1 AS sign, true AS counted, i.currency,
        i.tax_breakdown, i.seller, i.customer_country, i.customer_tax_ids
    FROM invoices i
    WHERE i.tax_point >= :first AND i.tax_point <= :last{invoices}
  UNION ALL
    SELECT 'invoice', i.id, -1, NOT (i.tax_point >= :first AND i.tax_point <= :last),
        i.currency, i.tax_breakdown, i.seller, i.customer_country, i.customer_tax_ids
    FROM invoices i
    WHERE i.tax_point IS NOT NULL AND i.voided_at >= :start AND i.voided_at < :end{invoices}
  UNION ALL
    SELECT 'credit_note', cn.id, -1, true, cn.currency, cn.tax_breakdown, i.seller,
        i.customer_country, i.customer_tax_ids
    FROM credit_notes cn JOIN invoices i ON i.id = cn.invoice_id
    WHERE cn.issue_date >= :first AND cn.issue_date <= :last{credit_notes}
  UNION ALL
    SELECT 'credit_note', cn.id, 1,
        NOT (cn.issue_date IS NOT NULL AND cn.issue_date >= :first AND cn.issue_date <= :last),
        cn.currency, cn.tax_breakdown, i.seller, i.customer_country, i.customer_tax_ids
    FROM credit_notes cn JOIN invoices i ON i.id = cn.invoice_id
    WHERE cn.voided_at >= :start AND cn.voided_at < :end{credit_notes}
), b AS (
    SELECT d.object, d.id, d.sign, d.counted, d.currency,
        d.seller -> 'address' ->> 'country' AS seller_country,
        d.customer_country AS buyer_country,
        {vat_id} AS buyer_vat_id,
        g.value AS g
    FROM d, jsonb_array_elements(CASE WHEN jsonb_typeof(d.tax_breakdown) = 'array'
                                 THEN d.tax_breakdown ELSE '[]'::jsonb END) AS g
)
SELECT b.object, b.sign, b.currency, b.seller_country, b.buyer_country, b.buyer_vat_id,
    b.g ->> 'country' AS country, b.g ->> 'category' AS category, b.g ->> 'rate' AS rate,
    SUM(CAST(b.g ->> 'taxable_amount' AS bigint)) AS taxable_amount,
    SUM(CAST(b.g ->> 'amount' AS bigint)) AS tax_amount,
    COUNT(DISTINCT b.id) FILTER (WHERE b.counted) AS documents
FROM b
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
"""


def _document(kind: str, row: Any, day: date, sign: int) -> VatDocument:
    address = row.customer_address or {}
    seller = row.seller or {}
    vat_id = None
    for tax_id in row.customer_tax_ids or []:
        if str(tax_id.get("type", "")).endswith("_vat") and tax_id.get("value"):
            vat_id = str(tax_id["value"])
            break
    return VatDocument(
        object=kind,
        id=row.id,
        number=row.number,
        day=day,
        sign=sign,
        currency=row.currency,
        seller_country=(seller.get("address") or {}).get("country"),
        buyer_country=address.get("country"),
        buyer_vat_id=vat_id,
        groups=vat_groups(row.tax_breakdown or []),
    )
