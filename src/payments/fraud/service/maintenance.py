"""Housekeeping of the database's velocity counters."""

from __future__ import annotations

from payments.fraud.domain.velocity import LONGEST
from payments.fraud.repository import VelocityRepository
from payments.kernel.clock import Clock
from payments.platform.db.uow import UnitOfWorkFactory


async def purge_velocity_events(*, uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    async with uow_factory() as uow:
        removed = await uow.repo(VelocityRepository).purge(clock.now() - LONGEST)
        await uow.commit()
    return removed
