"""Customers' use cases: ``customers`` (the customer itself) and ``tax_ids`` (its tax ids)."""
