"""All SQL of the reports: aggregate queries over charges, refunds, disputes, invoices,
credit notes and the journal, read through their date indexes (migration 0016).

One module a report family: :mod:`.summary` (the rollups), :mod:`.vat`,
:mod:`.receivables`, :mod:`.runs` (report runs and their files), :mod:`.rows` (itemized
reports and the journal, in batches)."""

from __future__ import annotations

from payments.reports.repository.receivables import ReceivablesQueries
from payments.reports.repository.rows import BATCH_ROWS, Cursor, ReportRowsRepository
from payments.reports.repository.runs import FileRepository, ReportRunRepository
from payments.reports.repository.summary import SummaryQueries
from payments.reports.repository.vat import VatQueries

__all__ = [
    "BATCH_ROWS",
    "Cursor",
    "FileRepository",
    "ReportRepository",
    "ReportRowsRepository",
    "ReportRunRepository",
]


class ReportRepository(SummaryQueries, VatQueries, ReceivablesQueries):
    """The queries of the summaries, the VAT report and the receivables aging."""
