"""``payments ledger verify`` streams the journal in batches: the same problems whatever
the batch size, a broken transaction found in any batch, progress reported per batch."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from payments.app.bootstrap import Container
from payments.kernel.ids import id_for
from payments.kernel.money import Money
from payments.ledger.domain import postings
from payments.ledger.domain.journal import Source, verify
from payments.ledger.repository import LedgerRepository
from payments.ledger.service import verify_ledger
from payments.ledger.tables import ledger_entries, ledger_transactions
from support.app import Api
from support.refunds import paid, shop


def eur(amount: int) -> Money:
    return Money(amount, "eur")


async def _book(api: Api, payouts: int = 6) -> None:
    """A real book: two card payments (one authorized and captured), and payouts."""
    admin, loc = await shop(api)
    await paid(api, admin, loc["id"], amount=5000)
    held = await paid(api, admin, loc["id"], amount=3000, capture_method="manual")
    captured = await api.client.post(
        f"/v1/payment_intents/{held['id']}/capture", json={"amount_to_capture": 2000}, headers=admin
    )
    assert captured.status_code == 200, captured.text
    c = api.container
    async with c.uow_factory() as uow:
        for n in range(payouts):
            await uow.repo(LedgerRepository).post(
                postings.payout_paid(eur(100 + n), source=Source("payout", f"po_{n}")),
                when=c.clock.now(),
            )
        await uow.commit()


async def _plant(container: Container, rows: list[tuple[str, int]], kind: str) -> str:
    """A stored transaction that bypasses the rules (as a bug or a hand edit would)."""
    tx_id = id_for("ledger_transaction")
    async with container.engine.begin() as conn:
        await conn.execute(
            ledger_transactions.insert().values(
                id=tx_id,
                kind=kind,
                source_type="payout",
                source_id=f"po_{tx_id}",
                description="planted",
                created=container.clock.now(),
            )
        )
        if rows:
            await conn.execute(
                ledger_entries.insert(),
                [
                    {"transaction_id": tx_id, "account": a, "currency": "eur", "amount": n}
                    for a, n in rows
                ],
            )
    return tx_id


async def _ids(container: Container) -> list[str]:
    async with container.engine.connect() as conn:
        query = sa.select(ledger_transactions.c.id).order_by(ledger_transactions.c.id)
        return list((await conn.execute(query)).scalars())


async def _whole_book_in_memory(container: Container) -> list[str]:
    """The journal checks as they were made before streaming: every entry loaded at once."""
    async with container.engine.connect() as conn:
        rows = (await conn.execute(sa.select(ledger_entries).order_by(ledger_entries.c.id))).all()
        tx_ids = (await conn.execute(sa.select(ledger_transactions.c.id))).scalars().all()
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.transaction_id].append(row)
    empty = sorted(t for t in tx_ids if t not in grouped)
    return [f"transaction {t}: has no entries" for t in empty] + verify(grouped)


async def test_the_result_is_the_same_whatever_the_batch_size(api: Api) -> None:
    await _book(api)
    c = api.container
    n = len(await _ids(c))
    assert n > 9
    for size in (1, 2, 3, n - 1, n, n + 1, 1000):
        assert await verify_ledger(uow_factory=c.uow_factory, batch_size=size) == [], size

    empty = await _plant(c, [], "payout.paid")
    unknown = await _plant(c, [("bank", 7), ("petty_cash", -7)], "refund.created")
    unbalanced = await _plant(c, [("bank", 100), ("gateway_receivable", -60)], "reversal")
    whole = await verify_ledger(uow_factory=c.uow_factory, batch_size=1000)
    assert whole[:3] == await _whole_book_in_memory(c)  # what verify did before streaming
    assert whole[:3] == [
        f"transaction {empty}: has no entries",
        f"transaction {unknown}: entry 1: unknown account 'petty_cash'",
        f"transaction {unbalanced}: balance-sheet entries in eur sum to 40, not 0",
    ]
    assert any(p.startswith("balance of bank in eur is ") for p in whole)  # rows bypassed it
    for size in (1, 2, 3, 5, n):
        assert await verify_ledger(uow_factory=c.uow_factory, batch_size=size) == whole, size


async def test_an_unbalanced_transaction_in_a_later_batch_is_found(api: Api) -> None:
    await _book(api)
    c = api.container
    planted = await _plant(c, [("bank", 100), ("gateway_receivable", -60)], "reversal")
    ids = await _ids(c)
    assert ids.index(planted) >= 3  # beyond the first batch of 3
    problems = await verify_ledger(uow_factory=c.uow_factory, batch_size=3)
    assert f"transaction {planted}: balance-sheet entries in eur sum to 40, not 0" in problems


async def test_batches_hold_at_most_batch_size_transactions_in_id_order(api: Api) -> None:
    await _book(api)
    c = api.container
    ids = await _ids(c)
    seen: list[str] = []
    async with c.uow_factory() as uow:
        async for batch in uow.repo(LedgerRepository).transactions_in_batches(4):
            assert 1 <= len(batch) <= 4
            for tx_id, rows in batch:
                assert rows and all(r.transaction_id == tx_id for r in rows)
            seen += [tx_id for tx_id, _ in batch]
    assert seen == ids


async def test_progress_is_reported_after_each_batch(api: Api) -> None:
    await _book(api)
    c = api.container
    n = len(await _ids(c))
    calls: list[Any] = []
    problems = await verify_ledger(
        uow_factory=c.uow_factory, batch_size=4, progress=lambda *a: calls.append(a)
    )
    assert problems == []
    assert calls == [(min(k, n), n) for k in range(4, n + 4, 4)]
