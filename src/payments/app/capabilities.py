"""The one place where capabilities are registered with the running service.

Adding a capability means adding its routers, jobs, ledger checks (and its tables in
:mod:`payments.app.tables`, its CLI group in :mod:`payments.app.cli`) here. Nothing
below this package knows the list.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from payments.audit import api as audit_api
from payments.bank_statements import api as bank_statements_api
from payments.bank_statements import jobs as bank_statements_jobs
from payments.bank_statements.service.verify import verify_bank_transactions
from payments.billing import api as billing_api
from payments.billing import jobs as billing_jobs
from payments.billing.service.test_clocks import TestClockLookup
from payments.customers import api as customers_api
from payments.customers.service.customers import register_erasure, register_test_clocks
from payments.dashboard.pages import audit as dashboard_audit
from payments.dashboard.pages import auth as dashboard_auth
from payments.dashboard.pages import bank as dashboard_bank
from payments.dashboard.pages import customers as dashboard_customers
from payments.dashboard.pages import developers as dashboard_developers
from payments.dashboard.pages import disputes as dashboard_disputes
from payments.dashboard.pages import home as dashboard_home
from payments.dashboard.pages import invoices as dashboard_invoices
from payments.dashboard.pages import payments as dashboard_payments
from payments.dashboard.pages import refunds as dashboard_refunds
from payments.dashboard.pages import reports as dashboard_reports
from payments.dashboard.pages import reviews as dashboard_reviews
from payments.dashboard.pages import subscriptions as dashboard_subscriptions
from payments.disputes import api as disputes_api
from payments.disputes import jobs as disputes_jobs
from payments.disputes.service.verify import verify_disputes
from payments.eventbus import jobs as eventbus_jobs
from payments.events import api as events_api
from payments.fraud import jobs as fraud_jobs
from payments.fraud.adapters.wiring import build_fraud_assessment
from payments.fraud.api import early_fraud_warnings as fraud_efw_api
from payments.fraud.api import lists as fraud_lists_api
from payments.fraud.api import reviews as fraud_reviews_api
from payments.fraud.api import rules as fraud_rules_api
from payments.fraud.service.assess import FraudAssessment
from payments.gateway_events import api as gateway_events_api
from payments.gateway_events import jobs as gateway_events_jobs
from payments.idempotency import jobs as idempotency_jobs
from payments.intents import jobs as intents_jobs
from payments.intents.api import charges as charges_api
from payments.intents.api import payment_intents as payment_intents_api
from payments.intents.api import payment_methods as payment_methods_api
from payments.intents.api import setup_intents as setup_intents_api
from payments.intents.api import test_helpers as intents_test_helpers
from payments.intents.api.expand import register_expansion
from payments.intents.service.attempts import register_refund_settlement
from payments.intents.service.collectors import register_collector
from payments.intents.service.invoice_payments import register_invoice_payments
from payments.intents.service.risk import register_risk_assessment
from payments.intents.service.verify import verify_charges
from payments.invoices import jobs as invoices_jobs
from payments.invoices.api import credit_notes as credit_notes_api
from payments.invoices.api import documents as invoice_documents_api
from payments.invoices.api import expand as invoices_expand
from payments.invoices.api import invoices as invoices_api
from payments.invoices.service.credit_notes import InvoiceRefundsListener
from payments.invoices.service.payments import InvoicePaymentsListener
from payments.invoices.service.verify import verify_invoices
from payments.ledger import api as ledger_api
from payments.ledger.service import VERIFY_BATCH_SIZE, LedgerCheck, Progress
from payments.ledger.service import verify_ledger as verify_ledger_with
from payments.legal_entities import api as legal_entities_api
from payments.locations import api as locations_api
from payments.locations import jobs as locations_jobs
from payments.metrics import api as metrics_api
from payments.parts import api as parts_api
from payments.payment_links import api as payment_links_api
from payments.payment_links import pages as pay_pages
from payments.payment_links import update_page as update_payment_method_page
from payments.platform.db.uow import UnitOfWorkFactory
from payments.platform.http import health
from payments.platform.worker import Job
from payments.platform.worker import run_forever as run_jobs_forever
from payments.platform.worker import run_once as run_jobs_once
from payments.privacy import api as privacy_api
from payments.privacy import jobs as privacy_jobs
from payments.privacy.hooks import CustomerBaseErasure
from payments.reconciliation import api as reconciliation_api
from payments.reconciliation import jobs as reconciliation_jobs
from payments.reconciliation.service.verify import verify_payouts
from payments.refunds import api as refunds_api
from payments.refunds.service.apply import RefundAttempts
from payments.refunds.service.invoice_refunds import register_invoice_refunds
from payments.refunds.service.verify import verify_refunds
from payments.reports import api as reports_api
from payments.reports import jobs as reports_jobs
from payments.staff import jobs as staff_jobs
from payments.terminal import api as terminal_api
from payments.terminal.service.readers import ReaderCollections
from payments.web import local_methods as local_method_pages
from payments.web import simulator as simulator_pages
from payments.webhooks import jobs as webhooks_jobs
from payments.webhooks.api import deliveries as webhook_deliveries_api
from payments.webhooks.api import endpoints as webhook_endpoints_api

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    legal_entities_api.router,
    locations_api.router,
    privacy_api.router,  # before customers' /v1/customers/{customer_id}
    customers_api.router,
    customers_api.integrations_router,
    payment_methods_api.router,
    payment_intents_api.router,
    setup_intents_api.router,
    charges_api.router,
    ledger_api.router,
    events_api.router,
    intents_test_helpers.router,
    disputes_api.test_helpers_router,
    simulator_pages.router,
    local_method_pages.router,  # after the 3-D Secure page: /simulator/{type}/{ref}
    gateway_events_api.router,
    webhook_endpoints_api.router,
    webhook_deliveries_api.router,
    refunds_api.router,
    disputes_api.router,
    audit_api.router,
    parts_api.router,
    billing_api.preview_router,  # before /v1/invoices/{invoice_id}
    invoices_api.router,
    invoice_documents_api.router,
    credit_notes_api.router,
    invoice_documents_api.credit_notes_router,
    bank_statements_api.router,
    terminal_api.router,
    terminal_api.test_helpers_router,
    terminal_api.receipts_router,
    billing_api.products_router,
    billing_api.prices_router,
    billing_api.subscriptions_router,
    billing_api.test_clocks_router,
    billing_api.dunning_router,
    payment_links_api.router,
    pay_pages.router,
    update_payment_method_page.router,
    fraud_rules_api.router,
    fraud_lists_api.router,
    fraud_reviews_api.router,
    fraud_efw_api.router,
    fraud_efw_api.test_helpers_router,
    reports_api.router,
    reports_api.runs_router,
    reports_api.files_router,
    reconciliation_api.router,
    reconciliation_api.runs_router,
    metrics_api.router,
    dashboard_auth.router,
    dashboard_home.router,
    dashboard_payments.router,
    dashboard_refunds.router,
    dashboard_disputes.router,
    dashboard_disputes.files_router,
    dashboard_customers.router,
    dashboard_invoices.router,
    dashboard_developers.router,
    dashboard_audit.router,
    dashboard_reviews.router,
    dashboard_reports.router,
    dashboard_subscriptions.router,
    dashboard_bank.router,
    dashboard_home.fallback_router,  # last: any other /dashboard address is a friendly 404
)

JOBS: tuple[Job, ...] = (
    idempotency_jobs.purge_idempotency_keys,
    webhooks_jobs.deliver_webhooks,
    intents_jobs.recover_gateway_attempts,
    gateway_events_jobs.poll_gateway_events_job,
    gateway_events_jobs.process_gateway_events_job,
    disputes_jobs.flag_dispute_deadlines_job,
    eventbus_jobs.publish_events,
    invoices_jobs.charge_installments,
    bank_statements_jobs.match_bank_transactions,
    billing_jobs.renew_subscriptions,
    fraud_jobs.cancel_expired_reviews_job,
    fraud_jobs.purge_velocity_events_job,
    reports_jobs.run_reports_job,
    reconciliation_jobs.reconcile_payouts_job,
    staff_jobs.purge_sign_in_records_job,
    locations_jobs.sync_locations_job,
    privacy_jobs.finish_due_erasures_job,
)

LEDGER_CHECKS: tuple[LedgerCheck, ...] = (
    verify_charges,
    verify_refunds,
    verify_disputes,
    verify_invoices,
    verify_bank_transactions,
    verify_payouts,
)


async def verify_ledger(
    *,
    uow_factory: UnitOfWorkFactory,
    batch_size: int = VERIFY_BATCH_SIZE,
    progress: Progress | None = None,
) -> list[str]:
    """``payments ledger verify``: the ledger's own invariants and every capability's."""
    return await verify_ledger_with(
        uow_factory=uow_factory, checks=LEDGER_CHECKS, batch_size=batch_size, progress=progress
    )


async def run_once(container: object, *, only: set[str] | None = None) -> dict[str, int]:
    """Run every (or the named) worker job once (tests drive the worker with this)."""
    return await run_jobs_once(container, JOBS, only=only)


async def run_forever(container: object, stop: asyncio.Event) -> None:
    """The worker loop over every registered job, until ``stop`` is set."""
    await run_jobs_forever(container, JOBS, stop)


def install(fraud: FraudAssessment | None = None) -> None:
    """Connect capabilities that a lower one calls back into (refunds settle their own
    gateway attempts; an invoice learns of its payments, a refund of an invoiced payment
    gets its credit note, ``expand[]=invoice`` shows the invoice a payment names, an
    intent a card reader is collecting is not confirmed, changed or canceled meanwhile,
    and every confirm asks fraud prevention for its verdict before the gateway is called).
    Called by the composition root whenever it builds a container, with the fraud
    assessment its settings configure (default: database counters, the sample IP table)."""
    register_risk_assessment(fraud or build_fraud_assessment())
    register_refund_settlement(RefundAttempts())
    register_invoice_payments(InvoicePaymentsListener())
    register_invoice_refunds(InvoiceRefundsListener())
    register_expansion("invoice", invoices_expand.rendered_invoices)
    register_collector(ReaderCollections())
    register_test_clocks(TestClockLookup())
    register_erasure(CustomerBaseErasure())
