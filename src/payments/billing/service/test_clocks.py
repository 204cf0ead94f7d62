"""Test clocks (Stripe's ``/v1/test_helpers/test_clocks``): simulated time for the
subscriptions of the customers created with one.

``advance`` moves a clock forward to ``frozen_time``: the clock shows ``advancing``, every
action due on its subscriptions in between (renewals with their invoices and charges,
trial ends and their warnings, ``invoice.upcoming``, dunning retries, expiries) runs in
the order it falls due, each at its own moment, and the clock is ``ready`` at the new
time when the request returns. Subscriptions on the real clock are never touched.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from payments.billing.domain.commands import CreateTestClock
from payments.billing.domain.model import TestClock, TestClockStatus
from payments.billing.repository import SubscriptionRepository, TestClockRepository
from payments.billing.service.common import Billing, clock_of
from payments.billing.service.renewals import (
    charge_together,
    renew_together,
    run_next_action,
    upcoming_together,
)
from payments.kernel.access import Permission
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest
from payments.kernel.ids import id_for
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.uow import UnitOfWork

CLOCK_LIFETIME = timedelta(days=30)
ADVANCE_CONCURRENCY = 8  # subscriptions whose actions fall due together, run side by side
ADVANCE_BATCH = 50  # ... or one after another, where the database has one writer (SQLite)
MAX_ADVANCE = timedelta(days=2 * 366)  # Stripe: two intervals; here two years at once


async def create_test_clock(
    cmd: CreateTestClock, *, billing: Billing, ctx: RequestContext
) -> TestClock:
    ctx.require(Permission.write_payments)
    now = billing.clock.now()
    clock = TestClock(
        id=id_for("test_clock"),
        name=cmd.name or None,
        frozen_time=cmd.frozen_time,
        status=TestClockStatus.READY,
        created=now,
        deletes_after=now + CLOCK_LIFETIME,
    )
    async with billing.uow_factory() as uow:
        await uow.repo(TestClockRepository).add(clock)
        await uow.commit()
    return clock


async def retrieve_test_clock(clock_id: str, *, billing: Billing, ctx: RequestContext) -> TestClock:
    async with billing.uow_factory() as uow:
        return await clock_of(uow, clock_id)


async def list_test_clocks(
    page: PageRequest, *, billing: Billing, ctx: RequestContext
) -> Page[TestClock]:
    async with billing.uow_factory() as uow:
        return await uow.repo(TestClockRepository).list_page(page)


async def advance_test_clock(
    clock_id: str, frozen_time: datetime, *, billing: Billing, ctx: RequestContext
) -> TestClock:
    ctx.require(Permission.write_payments)
    async with billing.uow_factory() as uow:
        current = await clock_of(uow, clock_id)
        if frozen_time <= current.frozen_time:
            raise InvalidRequest(
                "Invalid frozen_time: a test clock only moves forward (it is at "
                f"{int(current.frozen_time.timestamp())}).",
                code="test_clock_advance_backwards",
                param="frozen_time",
            )
        if frozen_time - current.frozen_time > MAX_ADVANCE:
            raise InvalidRequest(
                "Invalid frozen_time: advance a test clock by at most two years at once.",
                param="frozen_time",
            )
        if current.status is TestClockStatus.ADVANCING:
            raise InvalidRequest(
                "This test clock is advancing already.",
                code="test_clock_advancing",
                param="id",
            )
        current.status = TestClockStatus.ADVANCING
        await uow.repo(TestClockRepository).save(current)
        await uow.commit()
    finished = False
    try:
        while True:
            async with billing.uow_factory() as uow:
                repo = uow.repo(SubscriptionRepository)
                side_by_side = repo.parallel_writers
                due = await repo.due_together_on_clock(
                    clock_id, frozen_time, ADVANCE_CONCURRENCY if side_by_side else ADVANCE_BATCH
                )
            if not due:
                finished = True
                break
            # actions of different subscriptions falling due at the same moment have no
            # order between them: they run side by side where the database lets writers
            # work in parallel, else one after another (each subscription's own actions
            # stay in order, one at a time)
            # invoice.upcoming of all of them at once (one transaction), then the rest
            done = await upcoming_together(billing, due, frozen_time)
            rest = [sub_id for sub_id in due if sub_id not in done]
            ran: list[bool | BaseException] = [True] * len(done)
            if side_by_side:
                ran += await asyncio.gather(
                    *(run_next_action(billing, sub_id, frozen_time) for sub_id in rest),
                    return_exceptions=True,
                )
                failed = [r for r in ran if isinstance(r, BaseException)]
                if failed:
                    raise failed[0]
            else:
                # one writer: the renewals' invoices of all of them made in one
                # transaction, then each charged (no transaction open) and settled
                renewed = await renew_together(billing, rest, frozen_time)
                await charge_together(billing, renewed)
                ran += [True] * len(renewed)
                ran += [
                    await run_next_action(billing, sub_id, frozen_time)
                    for sub_id in rest
                    if sub_id not in renewed
                ]
            if not any(ran):
                break
    finally:
        async with billing.uow_factory() as uow:
            clock = await clock_of(uow, clock_id)
            clock.status = TestClockStatus.READY
            if finished:  # every action due ran: the clock reaches the new time
                clock.frozen_time = frozen_time
            await uow.repo(TestClockRepository).save(clock)
            await uow.commit()
    return clock


async def delete_test_clock(clock_id: str, *, billing: Billing, ctx: RequestContext) -> str:
    """Stripe deletes a clock with its objects; here the clock stays referenced by its
    customers and subscriptions, so deleting one that is in use is refused."""
    ctx.require(Permission.write_payments)
    async with billing.uow_factory() as uow:
        await clock_of(uow, clock_id)
        in_use = await uow.repo(SubscriptionRepository).list_page(
            PageRequest(limit=1), equals={"test_clock_id": clock_id}
        )
        if in_use.data:
            raise InvalidRequest(
                "This test clock has subscriptions: it cannot be deleted.",
                code="test_clock_in_use",
                param="id",
            )
        await uow.repo(TestClockRepository).delete(clock_id)
        await uow.commit()
    return clock_id


class TestClockLookup:
    """Registered with customers: a customer created with ``test_clock`` names one."""

    async def exists(self, uow: UnitOfWork, clock_id: str) -> bool:
        return await uow.repo(TestClockRepository).get(clock_id) is not None
