"""The running service as seen by code that calls the payment gateway (routes and jobs)."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends

from payments.gateways.protocol import PaymentGateway
from payments.platform.http.deps import get_container
from payments.platform.runtime import Runtime


class GatewayRuntime(Runtime, Protocol):
    @property
    def gateway(self) -> PaymentGateway: ...


GatewayDep = Annotated[GatewayRuntime, Depends(get_container)]
