"""The running service as seen by code that checks VAT ids (routes of customers' tax ids)."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends

from payments.platform.http.deps import get_container
from payments.platform.runtime import Runtime
from payments.tax.checker import VatIdChecker


class TaxRuntime(Runtime, Protocol):
    @property
    def vat_id_checker(self) -> VatIdChecker: ...


TaxDep = Annotated[TaxRuntime, Depends(get_container)]
