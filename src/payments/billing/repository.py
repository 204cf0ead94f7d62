"""All SQL of billing: products, prices, test clocks, subscriptions and their items,
dunning settings; and the claim of due subscriptions by the renewal worker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.billing.domain.model import (
    DunningSettings,
    PaymentMethodLink,
    Price,
    Product,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
    TestClock,
)
from payments.billing.tables import (
    dunning_settings,
    payment_method_links,
    prices,
    products,
    subscription_items,
    subscriptions,
    test_clocks,
)
from payments.kernel.pagination import Created, Page, PageRequest
from payments.platform.db.listing import list_filters
from payments.platform.db.records import RecordRepository


class ProductRepository(RecordRepository[Product]):
    table = products
    record = Product


class PriceRepository(RecordRepository[Price]):
    """``many`` remembers the prices it read for the rest of its unit of work (a renewal
    renders a subscription's items several times in one transaction); any write through
    this repository forgets them. Copies are returned: callers may change theirs."""

    table = prices
    record = Price

    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__(conn)
        self._read: dict[str, Price] = {}

    async def many(self, price_ids: Sequence[str]) -> dict[str, Price]:
        if not price_ids:
            return {}
        missing = [i for i in set(price_ids) if i not in self._read]
        if missing:
            for found in await self.find(prices.c.id.in_(missing)):
                self._read[found.id] = found
        return {i: replace(self._read[i]) for i in set(price_ids) if i in self._read}

    async def add(self, obj: Price) -> None:
        self._read.clear()
        await super().add(obj)

    async def save(self, obj: Price) -> None:
        self._read.clear()
        await super().save(obj)

    async def mark_used(self, price_ids: Sequence[str]) -> None:
        self._read.clear()
        if price_ids:
            await self._conn.execute(
                prices.update().where(prices.c.id.in_(list(price_ids))).values(used=True)
            )

    async def with_lookup_key(self, key: str) -> Price | None:
        found = await self.find(prices.c.lookup_key == key)
        return found[0] if found else None


class TestClockRepository(RecordRepository[TestClock]):
    table = test_clocks
    record = TestClock

    async def delete(self, clock_id: str) -> None:
        await self._conn.execute(test_clocks.delete().where(test_clocks.c.id == clock_id))


_IN_IDS = subscriptions.c.id.in_(sa.bindparam("ids", expanding=True))
_UPDATE_BY_ID = subscriptions.update().where(subscriptions.c.id == sa.bindparam("_id"))


class SubscriptionRepository(RecordRepository[Subscription]):
    table = subscriptions
    record = Subscription

    async def list_page(
        self,
        page: PageRequest,
        *,
        equals: Mapping[str, object] | None = None,
        created: Created | None = None,
        location_id: str | None = None,
        statuses: Sequence[SubscriptionStatus] | None = None,
        price_id: str | None = None,
    ) -> Page[Subscription]:
        """Stripe's list: the plain filters, a set of statuses, and the subscriptions
        with an item of a price."""
        where = list_filters(subscriptions, equals=equals, created=created, location_id=location_id)
        if statuses is not None:
            where.append(subscriptions.c.status.in_([s.value for s in statuses]))
        if price_id:
            where.append(
                subscriptions.c.id.in_(
                    sa.select(subscription_items.c.subscription_id).where(
                        subscription_items.c.price_id == price_id
                    )
                )
            )
        return await self.page(page, where)

    async def claim_due(self, *, now: datetime, lease_until: datetime, limit: int) -> list[str]:
        """Subscriptions on the real clock with something due by ``now`` and no live lease,
        leased until ``lease_until`` (``FOR UPDATE SKIP LOCKED``: workers never claim
        the same one)."""
        c = subscriptions.c
        query = (
            sa.select(c.id)
            .where(
                c.test_clock_id.is_(None),
                c.next_action_at.is_not(None),
                c.next_action_at <= now,
                sa.or_(c.lease_until.is_(None), c.lease_until < now),
            )
            .order_by(c.next_action_at)
            .limit(limit)
        )
        if self.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = [row[0] for row in (await self._conn.execute(query)).all()]
        if ids:
            await self._conn.execute(
                subscriptions.update().where(c.id.in_(ids)).values(lease_until=lease_until)
            )
        return ids

    async def lease(self, subscription_id: str, *, now: datetime, until: datetime) -> bool:
        """Take one subscription's lease unless another holder's is still live."""
        c = subscriptions.c
        result = await self._conn.execute(
            subscriptions.update()
            .where(c.id == subscription_id, sa.or_(c.lease_until.is_(None), c.lease_until < now))
            .values(lease_until=until)
        )
        return bool(result.rowcount)

    async def release(self, subscription_id: str) -> None:
        await self._conn.execute(
            subscriptions.update()
            .where(subscriptions.c.id == subscription_id)
            .values(lease_until=None)
        )

    @property
    def parallel_writers(self) -> bool:
        """Whether transactions of different subscriptions can write side by side: not on
        SQLite (one writer at a time; a second waits in its busy handler, sleeping)."""
        return self.dialect != "sqlite"

    async def due_together_on_clock(self, clock_id: str, until: datetime, limit: int) -> list[str]:
        """The subscriptions of a test clock whose next action falls due at the earliest
        moment by ``until`` (all at that same moment), at most ``limit``."""
        c = subscriptions.c
        first = (
            await self._conn.execute(
                sa.select(sa.func.min(c.next_action_at)).where(
                    c.test_clock_id == clock_id, c.next_action_at.is_not(None)
                )
            )
        ).scalar()
        if first is None or first > until:
            return []
        query = (
            sa.select(c.id)
            .where(c.test_clock_id == clock_id, c.next_action_at == first)
            .order_by(c.id)
            .limit(limit)
        )
        return [row[0] for row in (await self._conn.execute(query)).all()]

    async def of_customer(self, customer_id: str) -> list[Subscription]:
        return await self.find(subscriptions.c.customer_id == customer_id)

    async def locked(self, ids: Sequence[str]) -> list[Subscription]:
        """Several subscriptions, locked in the order of their ids (as one transaction
        of a test clock's advance takes them), in that order."""
        if not ids:
            return []
        query = sa.select(subscriptions).where(_IN_IDS).order_by(subscriptions.c.id)
        if self.dialect == "postgresql":
            query = query.with_for_update()
        rows = (await self._conn.execute(query, {"ids": list(ids)})).all()
        return [self._from_row(row) for row in rows]

    async def save_all(self, subs: Sequence[Subscription]) -> None:
        """Store several subscriptions in one statement (one round trip)."""
        if subs:
            rows = [self._values(sub) for sub in subs]
            for row in rows:
                row["_id"] = row.pop("id")
            await self._conn.execute(_UPDATE_BY_ID, rows)


class SubscriptionItemRepository(RecordRepository[SubscriptionItem]):
    """``of_subscription`` remembers a subscription's items for the rest of its unit of
    work (items change only under the subscription's lock, which a renewal's transaction
    holds); any write through this repository forgets them. Copies are returned."""

    table = subscription_items
    record = SubscriptionItem

    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__(conn)
        self._read: dict[str, list[SubscriptionItem]] = {}

    async def add(self, obj: SubscriptionItem) -> None:
        self._read.clear()
        await super().add(obj)

    async def save(self, obj: SubscriptionItem) -> None:
        self._read.clear()
        await super().save(obj)

    async def add_all(self, items: Sequence[SubscriptionItem]) -> None:
        self._read.clear()
        if items:
            await self._conn.execute(subscription_items.insert(), [self._values(i) for i in items])

    async def of_subscription(self, subscription_id: str) -> list[SubscriptionItem]:
        found = self._read.get(subscription_id)
        if found is None:
            found = await self.find(
                subscription_items.c.subscription_id == subscription_id,
                order_by=subscription_items.c.id,
            )
            self._read[subscription_id] = found
        return [replace(i) for i in found]

    async def of_subscriptions(self, ids: Sequence[str]) -> dict[str, list[SubscriptionItem]]:
        """Several subscriptions' items in one query (remembered as ``of_subscription``
        remembers them)."""
        out: dict[str, list[SubscriptionItem]] = {i: [] for i in ids}
        if ids:
            for item in await self.find(
                subscription_items.c.subscription_id.in_(list(ids)),
                order_by=subscription_items.c.id,
            ):
                out[item.subscription_id].append(item)
            for sub_id, found in out.items():
                self._read[sub_id] = [replace(i) for i in found]
        return out

    async def delete(self, item_ids: Sequence[str]) -> None:
        self._read.clear()
        if item_ids:
            await self._conn.execute(
                subscription_items.delete().where(subscription_items.c.id.in_(list(item_ids)))
            )


class DunningSettingsRepository(RecordRepository[DunningSettings]):
    table = dunning_settings
    record = DunningSettings

    async def of_location(self, location_id: str) -> DunningSettings | None:
        found = await self.find(dunning_settings.c.location_id == location_id)
        return found[0] if found else None

    async def put_default(self, location_id: str) -> None:
        await self._conn.execute(
            dunning_settings.delete().where(dunning_settings.c.location_id == location_id)
        )

    async def put(self, settings: DunningSettings) -> None:
        await self._conn.execute(
            dunning_settings.delete().where(dunning_settings.c.location_id == settings.location_id)
        )
        await self._conn.execute(dunning_settings.insert(), self._values(settings))


class PaymentMethodLinkRepository(RecordRepository[PaymentMethodLink]):
    table = payment_method_links
    record = PaymentMethodLink

    async def by_token_hash(self, token_hash: str) -> PaymentMethodLink | None:
        found = await self.find(payment_method_links.c.token_hash == token_hash)
        return found[0] if found else None
