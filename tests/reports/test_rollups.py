"""The daily rollups behind the summaries: always equal to a from-scratch computation over
the charges, refunds and disputes; rebuilt by ``payments reports rebuild-rollups``; no
update lost when two transactions add to the same rollup row."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from payments.disputes.tables import disputes
from payments.fx.service import EcbReferenceRates
from payments.intents.tables import charges
from payments.refunds.tables import refunds
from payments.reports.domain.summary import (
    DayFigures,
    Period,
    SummaryQuery,
    parse_group_by,
    summarize,
)
from payments.reports.rollups import SUMS
from payments.reports.tables import daily_rollups, decline_rollups
from support.app import Api
from support.refunds import paid, poll_gateway, refund, shop
from support.reports import warsaw_shop

DAY1 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday
PERIOD = ("2025-03-01", "2025-03-09")


async def _from_base(engine: AsyncEngine) -> tuple[dict[Any, dict[str, int]], Counter[Any]]:
    """The rollups computed from scratch, in Python, from the base tables' rows."""
    async with engine.connect() as conn:
        ch = (await conn.execute(sa.select(charges))).mappings().all()
        rf = (await conn.execute(sa.select(refunds))).mappings().all()
        dp = (await conn.execute(sa.select(disputes))).mappings().all()
    method = {c["id"]: (c["payment_method_details"] or {}).get("type") or "" for c in ch}
    sums: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SUMS, 0))
    declines: Counter[Any] = Counter()
    for c in ch:
        day = c["created"].date()
        s = sums[(day, c["location_id"], method[c["id"]], c["currency"])]
        if c["status"] == "succeeded":
            s["authorized"] += 1
            if c["captured"]:
                s["count"] += 1
                s["gross"] += c["amount_captured"]
                s["fees"] += c["fee"] or 0
        elif c["status"] == "failed":
            s["declined"] += 1
            code = c["decline_code"] or c["failure_code"] or "unknown"
            declines[(day, c["location_id"], code)] += 1
    for r in rf:
        if r["status"] == "succeeded":
            s = sums[(r["created"].date(), r["location_id"], method[r["charge_id"]], r["currency"])]
            s["refunds"] += r["amount"]
            s["refund_count"] += 1
    for d in dp:
        s = sums[(d["created"].date(), d["location_id"], method[d["charge_id"]], d["currency"])]
        if d["funds_withdrawn"] and d["status"] != "won":
            s["disputes"] += d["amount"]
        s["fees"] += d["fee"] or 0
        s["dispute_count"] += 1
    return {k: v for k, v in sums.items() if any(v.values())}, +declines


async def _rollups(engine: AsyncEngine) -> tuple[dict[Any, dict[str, int]], Counter[Any]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(daily_rollups))).mappings().all()
        codes = (await conn.execute(sa.select(decline_rollups))).mappings().all()
    sums = {
        (
            r["day"],
            r["location_id"],
            r["payment_method_type"],
            r["currency"],
        ): {s: int(r[s]) for s in SUMS}
        for r in rows
    }
    declines = Counter({(r["day"], r["location_id"], r["code"]): int(r["count"]) for r in codes})
    return {k: v for k, v in sums.items() if any(v.values())}, +declines


def _figures(sums: dict[Any, dict[str, int]]) -> list[DayFigures]:
    return [
        DayFigures(
            day,
            loc,
            method or None,
            cur,
            s["count"],
            s["gross"],
            s["refunds"],
            s["disputes"],
            s["fees"],
        )
        for (day, loc, method, cur), s in sums.items()
        if s["count"] or s["refund_count"] or s["dispute_count"]
    ]


async def _summary(api: Api, headers: dict[str, str], group_by: str, **more: str) -> Any:
    params = {"from": PERIOD[0], "to": PERIOD[1], "group_by": group_by, **more}
    response = await api.client.get("/v1/reports/summary", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _activity(api: Api) -> dict[str, str]:
    """Payments, a partial late capture, declines, refunds and disputes (one won, one not)
    across three days, two shops and two currencies."""
    clock = api.container.clock
    clock.set(DAY1)  # type: ignore[attr-defined]
    admin, berlin = await shop(api)
    warsaw = await warsaw_shop(api, admin)
    first = await paid(api, admin, berlin["id"], amount=10000, currency="eur")
    await paid(api, admin, warsaw["id"], amount=20001, currency="pln")
    await paid(api, admin, warsaw["id"], amount=3333, currency="eur")
    for loc, method in ((berlin, "pm_card_chargeDeclinedInsufficientFunds"), (warsaw, None)):
        declined = await api.client.post(
            "/v1/payment_intents",
            json={
                "amount": 5000,
                "currency": "eur",
                "location": loc["id"],
                "payment_method": method or "pm_card_chargeDeclined",
                "confirm": True,
            },
            headers=admin,
        )
        assert declined.status_code == 402, declined.text
    manual = await paid(
        api, admin, berlin["id"], amount=20000, currency="eur", capture_method="manual"
    )
    won = await paid(api, admin, berlin["id"], amount=7000, method="pm_card_createDispute")
    lost = await paid(api, admin, warsaw["id"], amount=9000, method="pm_card_createDispute")
    clock.set(DAY1 + timedelta(days=1, hours=5))  # type: ignore[attr-defined]
    assert await poll_gateway(api.container) >= 2
    captured = await api.client.post(
        f"/v1/payment_intents/{manual['id']}/capture",
        json={"amount_to_capture": 15000},
        headers=admin,
    )
    assert captured.status_code == 200, captured.text
    assert (await refund(api, admin, payment_intent=first["id"], amount=2500)).status_code == 200
    assert (await refund(api, admin, payment_intent=first["id"], amount=1)).status_code == 200
    await paid(api, admin, warsaw["id"], amount=4321, currency="pln")
    clock.set(DAY1 + timedelta(days=2, hours=1))  # type: ignore[attr-defined]
    listed = await api.client.get("/v1/disputes", headers=admin)
    by_pi = {d["payment_intent"]: d for d in listed.json()["data"]}
    for pi, outcome in ((won, "won"), (lost, "lost")):
        resolved = await api.client.post(
            f"/v1/test_helpers/disputes/{by_pi[pi['id']]['id']}/resolve",
            json={"outcome": outcome},
            headers=admin,
        )
        assert resolved.status_code == 200, resolved.text
    await paid(api, admin, berlin["id"], amount=1234, currency="eur")
    return admin


async def test_the_rollups_equal_a_from_scratch_computation_and_so_do_the_summaries(
    api: Api, database_url: str
) -> None:
    admin = await _activity(api)
    engine = api.container.engine
    expected, expected_declines = await _from_base(engine)
    assert len({k[0] for k in expected}) == 3  # three days
    assert len({k[3] for k in expected}) == 2  # two currencies
    assert sum(s["dispute_count"] for s in expected.values()) == 2
    assert await _rollups(engine) == (expected, expected_declines)

    history = await EcbReferenceRates(api.container.uow_factory).history()
    period = Period(date.fromisoformat(PERIOD[0]), date.fromisoformat(PERIOD[1]))
    for group_by, currency in (
        ("location,payment_method_type,day", "eur"),
        ("location,month", "pln"),
        ("payment_method_type,week", "eur"),
    ):
        body = await _summary(api, admin, group_by, reporting_currency=currency)
        query = SummaryQuery(period, parse_group_by(group_by), currency)
        groups, totals = summarize(_figures(expected), query, history)
        assert body["groups"] == groups
        assert body["totals"] == {"currency": currency} | totals
    auth = (await _summary(api, admin, "location"))["authorization"]
    authorized = sum(s["authorized"] for s in expected.values())
    declined = sum(s["declined"] for s in expected.values())
    assert (auth["authorized"], auth["declined"]) == (authorized, declined)
    codes: Counter[str] = Counter()
    for (_, _, code), n in expected_declines.items():
        codes[code] += n
    assert {c["code"]: c["count"] for c in auth["top_decline_codes"]} == dict(codes)

    # the rollups lost (a restore without them, a hand-made delete): the CLI rebuilds them
    before = await _summary(api, admin, "location,payment_method_type,day")
    async with engine.begin() as conn:
        await conn.execute(sa.delete(daily_rollups))
        await conn.execute(sa.update(decline_rollups).values(count=decline_rollups.c.count + 5))
    assert (await _summary(api, admin, "location,payment_method_type,day"))["groups"] == []
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "payments.app.cli", "reports", "rebuild-rollups"],
        env=os.environ | {"PAYMENTS_DATABASE_URL": database_url, "PAYMENTS_LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "reports rebuild-rollups: OK (report_daily_rollups: " in done.stdout
    assert await _rollups(engine) == (expected, expected_declines)
    assert await _summary(api, admin, "location,payment_method_type,day") == before


async def test_an_update_that_does_not_change_the_figures_leaves_the_rollups_alone(
    api: Api,
) -> None:
    await _activity(api)
    engine = api.container.engine
    before = await _rollups(engine)
    async with engine.begin() as conn:
        await conn.execute(sa.update(charges).values(failure_message="noted"))
        await conn.execute(sa.update(refunds).values(note="noted"))
    assert await _rollups(engine) == before == await _from_base(engine)


async def test_two_transactions_adding_to_the_same_rollup_row_lose_nothing(
    api: Api, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: its transactions cannot interleave")
    admin, berlin = await shop(api)
    api.container.clock.set(DAY1)  # type: ignore[attr-defined]
    one = await paid(api, admin, berlin["id"], amount=10000, currency="eur")
    two = await paid(api, admin, berlin["id"], amount=20000, currency="eur")
    engine = api.container.engine
    before, _ = await _rollups(engine)
    (key,) = before
    async with engine.connect() as a, engine.connect() as b:
        await a.begin()
        await a.execute(
            sa.update(charges).where(charges.c.id == one["latest_charge"]).values(fee=1111)
        )
        await a.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))  # a holds the rollup row
        await b.begin()
        b_pid = (await b.execute(sa.text("SELECT pg_backend_pid()"))).scalar()
        await b.execute(
            sa.update(charges).where(charges.c.id == two["latest_charge"]).values(fee=2222)
        )
        blocked = asyncio.create_task(b.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE")))
        async with engine.connect() as watch:  # until b waits for a's row lock
            for _ in range(1000):
                waiting = await watch.execute(
                    sa.text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": b_pid},
                )
                if waiting.scalar() == "Lock":
                    break
                await asyncio.sleep(0)
            else:
                raise AssertionError("the second transaction never waited for the first")
        await a.commit()
        await blocked
        await b.commit()
    after, _ = await _rollups(engine)
    fees = 1111 + 2222
    assert after[key] == before[key] | {"fees": fees}
    assert after == (await _from_base(engine))[0]
