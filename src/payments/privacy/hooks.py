"""What the customers capability calls when the Customer Base asks for an erasure."""

from __future__ import annotations

from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.platform.config import Settings
from payments.platform.db.uow import UnitOfWorkFactory
from payments.privacy.service import erase_customer


class CustomerBaseErasure:
    """The customers capability's ``Erasure`` port: the same erasure as the API's."""

    async def erase(
        self,
        customer_id: str,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        ctx: RequestContext,
        settings: Settings,
    ) -> str:
        erasure = await erase_customer(
            customer_id,
            uow_factory=uow_factory,
            clock=clock,
            ctx=ctx,
            retention_years=settings.retention_years_for,
            source="customer_base",
        )
        return erasure.status.value
