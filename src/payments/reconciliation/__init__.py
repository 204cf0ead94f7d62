"""Reconciliation: the gateway's payouts and balance transactions matched against our
ledger and our charges, refunds and disputes, one result per payout and per day."""
