"""Bad input to the reports: 400 naming the param, and who may read them."""

from __future__ import annotations

import pytest

from support.app import Api
from support.refunds import paid, shop
from support.reports import warsaw_shop

GOOD = {"from": "2024-12-01", "to": "2024-12-31"}


@pytest.mark.parametrize(
    ("params", "param", "words"),
    [
        ({"from": "2015-01-01", "to": "2024-12-31"}, "to", "report run"),
        (GOOD | {"group_by": "location,shop"}, "group_by", "Unknown group_by 'shop'"),
        (GOOD | {"group_by": "day,month"}, "group_by", "one of day, week or month"),
        (GOOD | {"reporting_currency": "xyz"}, "reporting_currency", "ECB"),
        (GOOD | {"reporting_currency": "hrk"}, "reporting_currency", "ECB"),
        ({"from": "2024-12-31", "to": "2024-12-01"}, "to", "before it starts"),
        ({"from": "2024-12-31"}, "to", "last day"),
        ({"from": "2024-13-01", "to": "2024-12-01"}, "from", ""),
    ],
)
async def test_bad_summary_parameters_are_a_400_naming_the_param(
    api: Api, params: dict[str, str], param: str, words: str
) -> None:
    admin, _ = await shop(api)
    response = await api.client.get("/v1/reports/summary", params=params, headers=admin)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", param)
    assert words in error["message"]


async def test_reports_are_for_finance_and_a_shop_key_sees_only_its_shop(api: Api) -> None:
    admin, berlin = await shop(api)
    other = await api.location(admin, name="Hamburg")
    clerk = await api.key("clerk")
    refused = await api.client.get("/v1/reports/summary", params=GOOD, headers=clerk)
    assert refused.status_code == 403
    finance = await api.key("finance", location=berlin["id"])
    own = await api.client.get("/v1/reports/summary", params=GOOD, headers=finance)
    assert own.status_code == 200 and own.json()["location"] == berlin["id"]
    foreign = await api.client.get(
        "/v1/reports/summary", params=GOOD | {"location": other["id"]}, headers=finance
    )
    assert foreign.status_code == 404
    assert foreign.json()["error"]["param"] == "location"


async def test_a_summary_past_the_known_rates_asks_for_a_refresh_instead_of_a_stale_rate(
    api: Api,
) -> None:
    from datetime import UTC, datetime

    api.container.clock.set(datetime(2099, 1, 5, 10, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    admin, _ = await shop(api)
    warsaw = await warsaw_shop(api, admin)
    await paid(api, admin, warsaw["id"], amount=1000, currency="pln")
    params = {"from": "2099-01-01", "to": "2099-01-31"}
    response = await api.client.get("/v1/reports/summary", params=params, headers=admin)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "rate_unavailable" and "payments fx refresh" in error["message"]
