"""``GET /v1/reports/summary`` against a hand-computed fixture, on both databases.

The fixture: a Berlin shop (EUR) and a Warsaw shop (PLN); pm_card_visa is a US card, so
the simulator's fee is 3.25 % + 0.25.

=========  ==========  ========  =====  ======  ======  ==========================
day (UTC)  shop        gross     fee    refund  net     ECB rate (rate_date)
=========  ==========  ========  =====  ======  ======  ==========================
Sat 12-28  Berlin      100.00 €  3.50   25.00   71.50   1 (EUR)
Sat 12-28  Warsaw      200.00 zł 6.75           193.25  4.2753 (Fri 12-27: weekend)
Sat 12-28  Berlin      declined: insufficient_funds
Mon 12-30  Warsaw      100.00 zł 3.50           96.50   4.2655 (12-30)
=========  ==========  ========  =====  ======  ======  ==========================

In EUR, each day converted and rounded half-up: 200/4.2753 = 46.78034 -> 46.78;
6.75/4.2753 = 1.578837 -> 1.58; 193.25/4.2753 = 45.20151 -> 45.20; 100/4.2655 = 23.44391
-> 23.44; 3.50/4.2655 = 0.820537 -> 0.82; 96.50/4.2655 = 22.62337 -> 22.62.
"""

from __future__ import annotations

from typing import Any

from support.app import Api
from support.reports import summary_fixture as _fixture


async def _summary(api: Api, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = await api.client.get("/v1/reports/summary", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_the_summary_by_shop_and_day_matches_the_hand_computed_figures(api: Api) -> None:
    admin, berlin, warsaw = await _fixture(api)
    report = await _summary(
        api, admin, **{"from": "2024-12-28", "to": "2024-12-31", "group_by": "location,day"}
    )
    assert (report["object"], report["reporting_currency"]) == ("report_summary", "eur")
    assert (report["from"], report["to"]) == ("2024-12-28", "2024-12-31")
    by_key = {(g["location"], g["period"]): g for g in report["groups"]}
    assert len(by_key) == 3
    b = by_key[(berlin["id"], "2024-12-28")]
    assert (b["currency"], b["count"], b["gross"], b["refunds"], b["fees"], b["net"]) == (
        "eur",
        1,
        10000,
        2500,
        350,
        7150,
    )
    assert b["converted"] == {
        "gross": 10000,
        "refunds": 2500,
        "disputes": 0,
        "fees": 350,
        "net": 7150,
        "rate": "1",
        "rate_date": "2024-12-28",
    }
    w1 = by_key[(warsaw["id"], "2024-12-28")]
    assert (w1["currency"], w1["gross"], w1["fees"], w1["net"]) == ("pln", 20000, 675, 19325)
    assert w1["converted"] == {
        "gross": 4678,
        "refunds": 0,
        "disputes": 0,
        "fees": 158,
        "net": 4520,
        "rate": "4.2753",
        "rate_date": "2024-12-27",  # Saturday: Friday's rate, shown
    }
    w2 = by_key[(warsaw["id"], "2024-12-30")]
    assert w2["converted"] == {
        "gross": 2344,
        "refunds": 0,
        "disputes": 0,
        "fees": 82,
        "net": 2262,
        "rate": "4.2655",
        "rate_date": "2024-12-30",
    }
    assert report["totals"] == {
        "currency": "eur",
        "count": 3,
        "gross": 17022,
        "refunds": 2500,
        "disputes": 0,
        "fees": 590,
        "net": 13932,
    }
    assert report["authorization"] == {
        "attempts": 4,
        "authorized": 3,
        "declined": 1,
        "authorization_rate": "0.7500",
        "decline_rate": "0.2500",
        "top_decline_codes": [{"code": "insufficient_funds", "count": 1}],
    }


async def test_a_group_over_several_days_sums_each_days_conversion_and_lists_the_rates(
    api: Api,
) -> None:
    admin, _, warsaw = await _fixture(api)
    report = await _summary(
        api,
        admin,
        **{
            "from": "2024-12-28",
            "to": "2024-12-30",
            "group_by": "payment_method_type,month",
            "location": warsaw["id"],
        },
    )
    [group] = report["groups"]
    assert (group["payment_method_type"], group["period"], group["currency"]) == (
        "card",
        "2024-12",
        "pln",
    )
    assert "location" not in group
    assert (group["count"], group["gross"], group["fees"], group["net"]) == (2, 30000, 1025, 28975)
    conv = group["converted"]
    assert (conv["gross"], conv["fees"], conv["net"]) == (4678 + 2344, 158 + 82, 4520 + 2262)
    assert (conv["rate"], conv["rate_date"]) == ("4.2655", "2024-12-30")
    assert conv["rates"] == [
        {"rate": "4.2753", "rate_date": "2024-12-27"},
        {"rate": "4.2655", "rate_date": "2024-12-30"},
    ]


async def test_a_reporting_currency_other_than_the_euro_uses_the_cross_rate(api: Api) -> None:
    admin, berlin, _ = await _fixture(api)
    report = await _summary(
        api,
        admin,
        **{
            "from": "2024-12-28",
            "to": "2024-12-28",
            "reporting_currency": "pln",
            "location": berlin["id"],
        },
    )
    [group] = report["groups"]
    # 1 EUR = 4.2753 PLN on Friday 12-27: 0.233902 EUR per PLN (1 / 4.2753 to 6 places)
    assert (group["converted"]["rate"], group["converted"]["rate_date"]) == (
        "0.233902",
        "2024-12-27",
    )
    # 71.50 / 0.233902 = 305.6836 -> 305.68 PLN; 100.00 / 0.233902 = 427.5295 -> 427.53
    assert (group["converted"]["net"], group["converted"]["gross"]) == (30568, 42753)
