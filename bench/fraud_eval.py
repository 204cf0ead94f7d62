"""How well and how fast the fraud assessment decides, on bench/fraud_dataset.py's data.

Replays the labelled payments in time order through the assessment's parts: the
velocity store (``--store redis``: the Lua script; ``--store database``: the
repository's SQL on a fresh PostgreSQL database), then the pure scoring and the 20
rules below (the two defaults and 18 more with velocity, lists, amounts, countries).
The history facts (the customer's earlier payments and refunds, the shop's average)
come from an in-memory replay of the data set, not from the service's tables. A
payment is *flagged* when it is blocked or held for review; 3-D Secure requests are
counted apart. Prints one JSON line: precision, recall and false-positive rate of the
rules and of the score's level alone, the share flagged per scenario, and per-assessment latency
(the velocity round trip + scoring + rules) after a warm-up, wall and CPU. On the database
the transaction's begin and commit (the confirm's own in the service) are timed apart
(``transaction_overhead``) and left out of the assessment's wall and CPU figures.

    .venv/bin/python bench/fraud_eval.py --store redis
    .venv/bin/python bench/fraud_eval.py --store database
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).parent))
from fraud_dataset import generate

from payments.fraud.domain.decision import CompiledRule, decide
from payments.fraud.domain.facts import ratio
from payments.fraud.domain.model import RuleAction
from payments.fraud.domain.rules import parse
from payments.fraud.domain.scoring import score
from payments.fraud.domain.velocity import Observation, velocity_queries

A = RuleAction
RULES: list[tuple[RuleAction, str]] = [
    (A.block, ":risk_level: = 'highest'"),
    (A.review, ":risk_level: = 'elevated'"),
    (A.block, ":declines_per_ip_1h: >= 3"),
    (A.block, ":attempts_per_ip_1h: >= 10"),
    (A.block, ":declines_per_card_1h: >= 3"),
    (A.block, ":cards_per_ip_24h: >= 5"),
    (A.review, ":attempts_per_card_1h: >= 2 and :card_country: != :shop_country:"),
    (
        A.review,
        ":amount_in_eur: > 500 and :is_first_purchase: and :card_country: != :shop_country:",
    ),
    (A.review, ":refunds_per_customer_30d: >= 2"),
    (A.block, ":card_fingerprint: in @blocked_cards"),
    (A.block, ":customer_email: in @blocked_emails"),
    (A.allow, ":customer_email: in @trusted_customers"),
    (A.block, ":ip_address: in @blocked_ips"),
    (A.request_three_d_secure, ":amount_in_eur: > 1000"),
    (A.review, ":declines_per_customer_24h: >= 3"),
    (A.review, ":cards_per_customer_24h: >= 3"),
    (A.block, ":ip_country: in ('KP', 'IR')"),
    (A.review, ":declines_per_shop_1m: >= 10"),
    (A.request_three_d_secure, ":card_country: != :shop_country: and :amount_in_eur: > 300"),
    (A.review, ":amount_vs_customer_average: >= 8 and :customer_charge_count: >= 3"),
]
LISTS = {
    "blocked_cards": frozenset(f"known_bad_{i}" for i in range(1000)),
    "blocked_emails": frozenset(f"bad{i}@mail.example" for i in range(1000)),
    "trusted_customers": frozenset(f"vip{i}@example.com" for i in range(200)),
    "blocked_ips": frozenset(f"192.0.2.{i}" for i in range(200)),
}
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


class History:
    """The history facts the service reads from its tables, kept in memory here."""

    def __init__(self) -> None:
        self.customer: dict[str, list[int]] = defaultdict(list)
        self.shop: dict[str, list[int]] = defaultdict(list)
        self.refunds: dict[str, list[float]] = defaultdict(list)

    def facts(self, row: dict[str, Any]) -> dict[str, Any]:
        mine = self.customer.get(row["customer"] or "", [])
        shop = self.shop.get(row["shop"], [])
        recent_refunds = [
            t for t in self.refunds.get(row["customer"] or "", []) if row["t"] - t <= 30 * 86_400
        ]
        return {
            "is_first_purchase": not mine,
            "customer_charge_count": len(mine),
            "amount_vs_customer_average": ratio(row["amount"], sum(mine) / len(mine))
            if mine
            else None,
            "amount_vs_shop_average": ratio(row["amount"], sum(shop) / len(shop))
            if len(shop) >= 3
            else None,
            "refunds_per_customer_30d": len(recent_refunds),
            "disputes_for_card": 0,
            "disputes_for_customer": 0,
        }


async def _redis_store() -> tuple[Any, Any]:
    from redis.asyncio import Redis

    from payments.fraud.adapters.redis_velocity import RedisVelocityCounters

    url = os.environ.get("PAYMENTS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    prefix = f"fraud-bench-{uuid.uuid4().hex[:8]}"
    store = RedisVelocityCounters(Redis.from_url(url), prefix=prefix)

    async def observe(observations: Any, queries: Any, now: datetime) -> list[int]:
        return await store.observe(observations, queries, now)

    async def close() -> None:
        cleanup = Redis.from_url(url)
        keys = [k async for k in cleanup.scan_iter(match=f"{prefix}:*")]
        for i in range(0, len(keys), 500):
            await cleanup.delete(*keys[i : i + 500])
        await cleanup.aclose()
        await store.aclose()

    return observe, close


async def _database_store(admin_url: str) -> tuple[Any, Any]:
    from payments.fraud.repository import VelocityRepository
    from payments.locations.repository import LocationRepository
    from payments.platform.db import migrate
    from payments.platform.db.engine import create_engine
    from payments.platform.db.uow import UnitOfWorkFactory

    name = f"fraud_bench_{uuid.uuid4().hex[:10]}"
    dsn = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    base = dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{name}"
    await asyncio.to_thread(migrate.upgrade, url)
    engine = create_engine(url, pool_size=2)
    uow_factory = UnitOfWorkFactory(engine)

    async def observe(observations: Any, queries: Any, now: datetime) -> list[int]:
        # In the service the counters ride on the confirm's phase-1 transaction, which
        # has begun (the intent was locked) before the assessment and commits after it.
        # So the transaction's start (pool checkout, BEGIN and a first statement, standing
        # in for the confirm's own) and its commit are timed apart (``overhead_ms``, both
        # reported in ``transaction_overhead``), and the assessment's figure is its own
        # statement's round trip.
        started, cpu_started = time.perf_counter(), time.process_time()
        async with uow_factory() as uow:
            await uow.repo(LocationRepository).get("loc_bench_none")  # the confirm's lock
            begun, cpu_begun = time.perf_counter(), time.process_time()
            counts = await uow.repo(VelocityRepository).observe(observations, queries, now)
            counted, cpu_counted = time.perf_counter(), time.process_time()
            await uow.commit()
        finished, cpu_finished = time.perf_counter(), time.process_time()
        observe.overhead_ms = ((begun - started) + (finished - counted)) * 1000  # type: ignore[attr-defined]
        observe.overhead_cpu_ms = ((cpu_begun - cpu_started) + (cpu_finished - cpu_counted)) * 1000  # type: ignore[attr-defined]
        return counts

    observe.overhead_ms = 0.0  # type: ignore[attr-defined]
    observe.overhead_cpu_ms = 0.0  # type: ignore[attr-defined]

    async def close() -> None:
        await engine.dispose()
        conn = await asyncpg.connect(dsn)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    return observe, close


async def evaluate(args: argparse.Namespace) -> dict[str, Any]:
    rows = generate(args.seed, days=args.days, per_shop_per_day=args.per_shop_per_day)
    rules = [CompiledRule(f"rule_{i}", a, parse(p)) for i, (a, p) in enumerate(RULES)]
    if args.store == "redis":
        observe, close = await _redis_store()
    else:
        observe, close = await _database_store(args.admin_url)
    history = History()
    tally: dict[str, int] = defaultdict(int)
    by_scenario: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    level_tally: dict[str, int] = defaultdict(int)
    latencies: list[float] = []
    decision_latencies: list[float] = []
    cpu_latencies: list[float] = []
    overheads: list[float] = []
    assessed = 0
    try:
        for index, row in enumerate(rows):
            now = START + timedelta(seconds=row["t"])
            if row["refund"]:
                history.refunds[row["customer"]].append(row["t"])
                continue
            assessed += 1
            subjects = {
                "card": f"card:{row['card']}",
                "customer": f"customer:{row['customer']}" if row["customer"] else None,
                "email": f"email:{row['email']}",
                "ip": f"ip:{row['ip']}",
                "shop": f"shop:{row['shop']}",
            }
            charge = f"ch_{index}"
            observations = [Observation(s, "attempt", charge) for s in subjects.values() if s]
            for holder in ("customer", "ip"):
                if subjects[holder]:
                    observations.append(Observation(str(subjects[holder]), "card", row["card"]))
            queries = velocity_queries(subjects)
            cpu_started = time.process_time()
            started = time.perf_counter()
            counts = await observe(observations, list(queries.values()), now)
            counted = time.perf_counter()
            facts: dict[str, Any] = dict(zip(queries, counts, strict=True))
            facts.update(history.facts(row))
            facts.update(
                amount=row["amount"],
                currency="eur",
                amount_in_eur=Decimal(row["amount"]).scaleb(-2),
                shop_country=row["shop_country"],
                card_country=row["card_country"],
                ip_country=row["ip_country"],
                ip_address=row["ip"],
                customer=row["customer"],
                customer_email=row["email"],
                card_fingerprint=row["card"],
                payment_method_type="card",
            )
            result = score(facts)
            facts.update(risk_score=result.score, risk_level=result.level.value)
            decision = decide(result, facts, rules, LISTS, location_id=row["shop"])
            finished = time.perf_counter()
            cpu_ms = (time.process_time() - cpu_started) * 1000
            cpu_ms -= getattr(observe, "overhead_cpu_ms", 0.0)
            overhead_ms = getattr(observe, "overhead_ms", 0.0)
            if index >= args.warmup:
                latencies.append((finished - started) * 1000 - overhead_ms)
                overheads.append(overhead_ms)
                decision_latencies.append((finished - counted) * 1000)
                cpu_latencies.append(cpu_ms)
            flagged = decision.action in (A.block, A.review)
            fraud = row["fraud"]
            tally[("tp" if fraud else "fp") if flagged else ("fn" if fraud else "tn")] += 1
            if decision.action == A.request_three_d_secure:
                tally["three_ds_fraud" if fraud else "three_ds_legit"] += 1
            by_scenario[row["scenario"]][0] += int(flagged)
            by_scenario[row["scenario"]][1] += 1
            level_flag = result.level.value != "normal"
            level_tally[("tp" if fraud else "fp") if level_flag else ("fn" if fraud else "tn")] += 1
            blocked = decision.action == A.block
            if not blocked and not row["issuer_declines"]:
                if row["customer"]:
                    history.customer[row["customer"]].append(row["amount"])
                history.shop[row["shop"]].append(row["amount"])
            elif not blocked:
                declines = [Observation(s, "decline", charge) for s in subjects.values() if s]
                await observe(declines, [], now)
    finally:
        await close()

    def quality(t: dict[str, int]) -> dict[str, float]:
        tp, fp, fn, tn = t["tp"], t["fp"], t["fn"], t["tn"]
        return {
            "precision": round(tp / (tp + fp), 3) if tp + fp else 0.0,
            "recall": round(tp / (tp + fn), 3) if tp + fn else 0.0,
            "false_positive_rate": round(fp / (fp + tn), 4) if fp + tn else 0.0,
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "tn": tn,
        }

    return {
        "store": args.store,
        "seed": args.seed,
        "payments": assessed,
        "rules": len(rules),
        "rules_flag_block_or_review": quality(tally),
        "score_level_alone": quality(level_tally),
        "three_d_secure_requested": {
            "fraud": tally["three_ds_fraud"],
            "legit": tally["three_ds_legit"],
        },
        "flagged_share_by_scenario": {
            s: round(flagged / total, 3) for s, (flagged, total) in sorted(by_scenario.items())
        },
        "latency_ms": {
            "assessment_p50": round(_percentile(latencies, 0.50), 3),
            "assessment_p99": round(_percentile(latencies, 0.99), 3),
            "scoring_and_rules_p50": round(_percentile(decision_latencies, 0.50), 3),
            "scoring_and_rules_p99": round(_percentile(decision_latencies, 0.99), 3),
            "assessment_cpu_p50": round(_percentile(cpu_latencies, 0.50), 3),
            "assessment_cpu_p99": round(_percentile(cpu_latencies, 0.99), 3),
            "transaction_overhead_p50": round(_percentile(overheads, 0.50), 3),
            "transaction_overhead_p99": round(_percentile(overheads, 0.99), 3),
            "measured": len(latencies),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", choices=("redis", "database"), default="redis")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--per-shop-per-day", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=200, help="payments not timed")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get(
            "PAYMENTS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(evaluate(args))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
