"""A labelled synthetic data set of card payments at repair shops, for bench/fraud_eval.py.

Seeded, so the same ``--seed`` gives the same payments. Four kinds of traffic, each row
labelled ``fraud`` true/false and with its ``scenario``:

- ``normal``: repair traffic per shop over ``--days`` days: returning customers (one or
  two cards, an e-mail, a home IP in the shop's country), amounts from a deposit to a
  new laptop (log-normal around 120 EUR, 4 % over 700 EUR), 4 % issuer declines
  (insufficient funds), some tourists paying with a foreign card;
- ``card_testing``: one IP tries 20-60 stolen card numbers on the pay page within
  minutes, small amounts, 85 % declined by the issuers;
- ``stolen_card``: one stolen card buys expensive "repairs" at 2-4 shops within an hour,
  new customer and e-mail each time, card and IP from abroad;
- ``refund_abuse``: a customer pays, gets refunds, and pays again (refunds are the
  rows with ``refund: true`` that follow a payment; the later payments are fraud).

Each row: ``t`` (seconds since the start), ``shop``, ``shop_country``, ``customer``,
``email``, ``ip``, ``ip_country``, ``card``, ``card_country``, ``amount`` (euro cents),
``issuer_declines``, ``refund``, ``fraud``, ``scenario``.

    .venv/bin/python bench/fraud_dataset.py --seed 7 --out /tmp/fraud.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from typing import Any

SHOPS = [
    ("loc_berlin", "DE"),
    ("loc_munich", "DE"),
    ("loc_amsterdam", "NL"),
    ("loc_vienna", "AT"),
    ("loc_paris", "FR"),
    ("loc_madrid", "ES"),
]
FOREIGN = ["US", "BR", "NG", "RU", "ID", "VN", "GB"]


def _amount(rng: random.Random) -> int:
    if rng.random() < 0.04:
        return rng.randrange(70_000, 190_000)  # a new laptop, a board replacement
    return max(500, int(math.exp(rng.gauss(math.log(12_000), 0.8))))


def normal(rng: random.Random, days: int, per_shop_per_day: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    n = 0
    for shop, country in SHOPS:
        customers = [
            {
                "customer": f"cus_{shop}_{i}",
                "email": f"{shop}.{i}@example.com",
                "ip": f"10.{SHOPS.index((shop, country))}.{i // 250}.{i % 250}",
                "cards": [f"card_{shop}_{i}_{k}" for k in range(rng.choice((1, 1, 1, 2)))],
                "tourist": rng.random() < 0.05,
            }
            for i in range(per_shop_per_day * days // 2)
        ]
        for _ in range(per_shop_per_day * days):
            c = rng.choice(customers)
            n += 1
            rows.append(
                {
                    "t": rng.uniform(0, days * 86_400),
                    "shop": shop,
                    "shop_country": country,
                    "customer": c["customer"],
                    "email": c["email"],
                    "ip": c["ip"],
                    "ip_country": country,
                    "card": rng.choice(c["cards"]),
                    "card_country": rng.choice(["US", "GB"]) if c["tourist"] else country,
                    "amount": _amount(rng),
                    "issuer_declines": rng.random() < 0.04,
                    "refund": False,
                    "fraud": False,
                    "scenario": "normal",
                }
            )
    return rows


def card_testing(rng: random.Random, days: int, bursts: int) -> list[dict[str, Any]]:
    rows = []
    for b in range(bursts):
        shop, country = rng.choice(SHOPS)
        start = rng.uniform(0, days * 86_400 - 3600)
        ip, ip_country = f"203.0.{b}.{rng.randrange(1, 250)}", rng.choice(FOREIGN)
        for k in range(rng.randrange(20, 61)):
            rows.append(
                {
                    "t": start + k * rng.uniform(2, 20),
                    "shop": shop,
                    "shop_country": country,
                    "customer": None,
                    "email": f"tester{b}.{k}@mail.example",
                    "ip": ip,
                    "ip_country": ip_country,
                    "card": f"tested_{b}_{k}",
                    "card_country": rng.choice(FOREIGN),
                    "amount": rng.randrange(100, 600),
                    "issuer_declines": rng.random() < 0.85,
                    "refund": False,
                    "fraud": True,
                    "scenario": "card_testing",
                }
            )
    return rows


def stolen_cards(rng: random.Random, days: int, sprees: int) -> list[dict[str, Any]]:
    rows = []
    for s in range(sprees):
        card, card_country = f"stolen_{s}", rng.choice(FOREIGN)
        start = rng.uniform(0, days * 86_400 - 3600)
        ip = f"198.18.{s}.{rng.randrange(1, 250)}"
        for k, (shop, country) in enumerate(rng.sample(SHOPS, rng.randrange(2, 5))):
            rows.append(
                {
                    "t": start + k * rng.uniform(300, 1200),
                    "shop": shop,
                    "shop_country": country,
                    "customer": f"cus_spree_{s}_{k}",
                    "email": f"spree{s}.{k}@mail.example",
                    "ip": ip,
                    "ip_country": rng.choice(FOREIGN),
                    "card": card,
                    "card_country": card_country,
                    "amount": rng.randrange(60_000, 250_000),
                    "issuer_declines": rng.random() < 0.2,
                    "refund": False,
                    "fraud": True,
                    "scenario": "stolen_card",
                }
            )
    return rows


def refund_abuse(rng: random.Random, days: int, abusers: int) -> list[dict[str, Any]]:
    rows = []
    for a in range(abusers):
        shop, country = rng.choice(SHOPS)
        customer = f"cus_abuser_{a}"
        t = rng.uniform(0, days * 86_400 / 2)
        for k in range(rng.randrange(4, 8)):
            base = {
                "shop": shop,
                "shop_country": country,
                "customer": customer,
                "email": f"abuser{a}@mail.example",
                "ip": f"10.99.{a}.1",
                "ip_country": country,
                "card": f"abuser_card_{a}_{k % 3}",
                "card_country": country,
                "amount": rng.randrange(20_000, 80_000),
                "issuer_declines": False,
            }
            # the first payment looks like anyone's; later ones follow refunds
            rows.append(
                base | {"t": t, "refund": False, "fraud": k >= 2, "scenario": "refund_abuse"}
            )
            rows.append(
                base | {"t": t + 3600, "refund": True, "fraud": True, "scenario": "refund_abuse"}
            )
            t += rng.uniform(86_400 * 0.5, 86_400 * 2)
    return rows


def generate(
    seed: int,
    *,
    days: int = 7,
    per_shop_per_day: int = 40,
    bursts: int = 6,
    sprees: int = 10,
    abusers: int = 6,
) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = (
        normal(rng, days, per_shop_per_day)
        + card_testing(rng, days, bursts)
        + stolen_cards(rng, days, sprees)
        + refund_abuse(rng, days, abusers)
    )
    rows.sort(key=lambda r: r["t"])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--per-shop-per-day", type=int, default=40)
    parser.add_argument("--out", default="-")
    args = parser.parse_args(argv)
    rows = generate(args.seed, days=args.days, per_shop_per_day=args.per_shop_per_day)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")  # noqa: SIM115
    with out:
        for row in rows:
            out.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
