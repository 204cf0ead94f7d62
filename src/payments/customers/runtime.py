"""The running service as seen by customers' routes: the VAT id checker (tax ids) and the
customer directory (the Customer Base, or our own table)."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends

from payments.customers.domain import CustomerDirectory
from payments.platform.http.deps import get_container
from payments.tax.runtime import TaxRuntime


class CustomersRuntime(TaxRuntime, Protocol):
    @property
    def customer_directory(self) -> CustomerDirectory: ...


CustomersDep = Annotated[CustomersRuntime, Depends(get_container)]
