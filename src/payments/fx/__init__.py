"""Currencies and FX: ECB euro reference rates, the rate of a transaction's date, and exact
conversion into a reporting currency (see docs/explanation/currencies-and-fx.md)."""
