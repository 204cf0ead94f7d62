"""A shop's dunning schedule: the service's default (``billing_dunning_retry_days``,
``billing_dunning_final_action``) or the shop's own override."""

from __future__ import annotations

from typing import Any

from payments.billing.domain.commands import DunningSettingsInput
from payments.billing.domain.model import DunningSettings
from payments.billing.repository import DunningSettingsRepository
from payments.billing.service.common import Billing, schedule_of
from payments.invoices.service.common import shop
from payments.kernel.access import Permission, Role
from payments.kernel.context import RequestContext
from payments.kernel.errors import PermissionDenied


def _shown(location_id: str, days: tuple[int, ...], action: str, own: bool) -> dict[str, Any]:
    return {
        "object": "dunning_settings",
        "location": location_id,
        "retry_days": list(days),
        "final_action": action,
        "overridden": own,
    }


async def retrieve(location_id: str, *, billing: Billing, ctx: RequestContext) -> dict[str, Any]:
    async with billing.uow_factory() as uow:
        location = await shop(uow, ctx, location_id)
        schedule = await schedule_of(uow, location.id, billing)
        own = await uow.repo(DunningSettingsRepository).of_location(location.id)
        return _shown(location.id, schedule.retry_days, schedule.final_action, own is not None)


async def update(
    cmd: DunningSettingsInput, *, billing: Billing, ctx: RequestContext
) -> dict[str, Any]:
    ctx.require(Permission.write_payments)
    if ctx.principal.role not in (Role.admin, Role.finance):
        raise PermissionDenied(
            "A shop's dunning schedule is set by admin or finance keys.",
            code="insufficient_permissions",
        )
    async with billing.uow_factory() as uow:
        location = await shop(uow, ctx, cmd.location)
        repo = uow.repo(DunningSettingsRepository)
        if cmd.retry_days is None and cmd.final_action is None:
            await repo.put_default(location.id)
        else:
            current = await schedule_of(uow, location.id, billing)
            await repo.put(
                DunningSettings(
                    location_id=location.id,
                    retry_days=list(
                        cmd.retry_days if cmd.retry_days is not None else current.retry_days
                    ),
                    final_action=cmd.final_action or current.final_action,
                    updated=billing.clock.now(),
                )
            )
        await uow.commit()
    return await retrieve(location.id, billing=billing, ctx=ctx)
