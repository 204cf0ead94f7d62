"""Reconciliation use cases: running a day, reading results, the ledger check."""
