"""Every capability's tables on the one MetaData: what Alembic migrates and checks.

Adding a capability with tables means adding its ``tables`` module here.
"""

from __future__ import annotations

from payments.apikeys import tables as apikeys_tables
from payments.audit import tables as audit_tables
from payments.bank_statements import tables as bank_statements_tables
from payments.billing import tables as billing_tables
from payments.customers import tables as customers_tables
from payments.disputes import tables as disputes_tables
from payments.eventbus import tables as eventbus_tables
from payments.events import tables as events_tables
from payments.files import tables as files_tables
from payments.fraud import tables as fraud_tables
from payments.fx import tables as fx_tables
from payments.gateway_events import tables as gateway_events_tables
from payments.idempotency import tables as idempotency_tables
from payments.intents import tables as intents_tables
from payments.invoices import tables as invoices_tables
from payments.ledger import tables as ledger_tables
from payments.legal_entities import tables as legal_entities_tables
from payments.locations import tables as locations_tables
from payments.parts import tables as parts_tables
from payments.payment_links import tables as payment_links_tables
from payments.platform.db.schema import metadata
from payments.privacy import tables as privacy_tables
from payments.reconciliation import tables as reconciliation_tables
from payments.refunds import tables as refunds_tables
from payments.reports import tables as reports_tables
from payments.staff import tables as staff_tables
from payments.terminal import tables as terminal_tables
from payments.webhooks import tables as webhooks_tables

MODULES = (
    legal_entities_tables,
    locations_tables,
    apikeys_tables,
    customers_tables,
    events_tables,
    eventbus_tables,
    idempotency_tables,
    ledger_tables,
    audit_tables,
    intents_tables,
    gateway_events_tables,
    refunds_tables,
    disputes_tables,
    webhooks_tables,
    parts_tables,
    invoices_tables,
    bank_statements_tables,
    terminal_tables,
    billing_tables,
    payment_links_tables,
    fraud_tables,
    fx_tables,
    reports_tables,
    reconciliation_tables,
    staff_tables,
    files_tables,
    privacy_tables,
)

__all__ = ["MODULES", "metadata"]
