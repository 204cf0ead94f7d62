"""Customers' use cases: ``customers`` (the customer itself) and ``tax_ids`` (its tax ids).

The customer use cases are re-exported here, where they lived before the split
(``from payments.customers.service import create_customer`` keeps working).
"""

from payments.customers.service.customers import (
    create_customer,
    delete_customer,
    list_customers,
    retrieve_customer,
    update_customer,
)

__all__ = [
    "create_customer",
    "delete_customer",
    "list_customers",
    "retrieve_customer",
    "update_customer",
]
