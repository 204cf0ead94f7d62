"""Reports in the dashboard, on both databases: the summary per shop and payment method
against the reports tests' hand-computed fixture (see tests/reports/test_summary_api.py),
the daily chart, the CSV of what is shown, and who may read them."""

from __future__ import annotations

import csv
import io

import httpx

from support.app import Api
from support.dashboard import csrf_of, sign_in, staff_user
from support.reports import summary_fixture

PERIOD = "from=2024-12-28&to=2024-12-31"


async def test_finance_reads_the_summary_per_shop_and_method_with_a_chart(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    await summary_fixture(api)
    await sign_in(browserless, await staff_user(api.container, "finance"))
    page = await browserless.get(f"/dashboard/reports?{PERIOD}")
    assert page.status_code == 200, page.text
    rows = page.text.split("<tbody>")[1].split("</tbody>")[0]
    assert "Berlin Mitte" in rows and "Warszawa Centrum" in rows and "Card" in rows
    # Berlin (EUR): 100.00 gross, 25.00 refunded, 3.50 fees, 71.50 net
    assert all(a in rows for a in ("€100.00", "€25.00", "€3.50", "€71.50"))
    # Warsaw (PLN): 300.00 zł gross, 289.75 net, which is 45.20 + 22.62 = 67.82 EUR
    assert "289.75" in rows and "€67.82" in rows
    totals = page.text.split("<tfoot>")[1]
    assert "€139.32" in totals and "€170.22" in totals  # net and gross in EUR
    # the chart: one bar per day, the gross of each day in EUR
    chart = page.text.split("<svg")[1].split("</svg>")[0]
    assert chart.count("<rect") == 4
    assert "<title>28: €146.78</title>" in chart and "<title>30: €23.44</title>" in chart
    assert 'aria-label="Gross volume per day (EUR)"' in chart
    assert "Card authorizations: 3 / 4" in page.text  # the declined one

    # this month (the clock is at Monday 2024-12-30) when no period is given
    default = await browserless.get("/dashboard/reports")
    assert 'value="2024-12-01"' in default.text and 'value="2024-12-30"' in default.text
    assert "€139.32" in default.text


async def test_the_csv_is_the_shown_summary(api: Api, browserless: httpx.AsyncClient) -> None:
    _, berlin, warsaw = await summary_fixture(api)
    await sign_in(browserless, await staff_user(api.container, "admin"))
    page = await browserless.get(f"/dashboard/reports?{PERIOD}")
    link = (
        'href="/dashboard/reports/summary.csv?from=2024-12-28&amp;to=2024-12-31&amp;currency=eur"'
    )
    assert link in page.text
    got = await browserless.get(f"/dashboard/reports/summary.csv?{PERIOD}&currency=eur")
    assert got.status_code == 200
    assert got.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="summary-2024-12-28-2024-12-31-eur.csv"' in got.headers["content-disposition"]
    header, *rows = list(csv.reader(io.StringIO(got.text)))
    assert header[:10] == [
        "location",
        "location_name",
        "payment_method_type",
        "currency",
        "count",
        "gross",
        "refunds",
        "disputes",
        "fees",
        "net",
    ]
    by_shop = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    b = by_shop[berlin["id"]]
    assert (b["location_name"], b["payment_method_type"], b["currency"], b["count"]) == (
        "Berlin Mitte",
        "card",
        "eur",
        "1",
    )
    assert (b["gross"], b["refunds"], b["fees"], b["net"], b["converted_net"]) == (
        "100.00",
        "25.00",
        "3.50",
        "71.50",
        "71.50",
    )
    w = by_shop[warsaw["id"]]
    assert (w["currency"], w["count"], w["gross"], w["fees"], w["net"]) == (
        "pln",
        "2",
        "300.00",
        "10.25",
        "289.75",
    )
    assert (w["converted_gross"], w["converted_fees"], w["converted_net"]) == (
        "70.22",
        "2.40",
        "67.82",
    )
    total = by_shop["total"]
    assert (total["count"], total["converted_gross"], total["converted_net"]) == (
        "3",
        "170.22",
        "139.32",
    )
    # another reporting currency: the PLN figures as they are, the EUR ones converted
    in_pln = await browserless.get(f"/dashboard/reports/summary.csv?{PERIOD}&currency=pln")
    pln_rows = {r[0]: r for r in csv.reader(io.StringIO(in_pln.text))}
    assert pln_rows[warsaw["id"]][header.index("converted_net")] == "289.75"


async def test_reports_are_finances_and_a_shops_finance_sees_only_its_shop(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    _, berlin, _ = await summary_fixture(api)
    await sign_in(browserless, await staff_user(api.container, "clerk"))
    home = await browserless.get("/dashboard")
    assert 'href="/dashboard/reports"' not in home.text
    assert (await browserless.get(f"/dashboard/reports?{PERIOD}")).status_code == 403
    assert (await browserless.get(f"/dashboard/reports/summary.csv?{PERIOD}")).status_code == 403
    await browserless.post("/dashboard/logout", data={"csrf_token": csrf_of(home.text)})

    await sign_in(browserless, await staff_user(api.container, "finance", location=berlin["id"]))
    page = await browserless.get(f"/dashboard/reports?{PERIOD}")
    assert page.status_code == 200
    assert "Berlin Mitte" in page.text and "Warszawa" not in page.text
    got = await browserless.get(f"/dashboard/reports/summary.csv?{PERIOD}")
    assert [r[0] for r in csv.reader(io.StringIO(got.text))][1:] == [berlin["id"], "total"]


async def test_a_bad_period_gets_a_friendly_page(api: Api, browserless: httpx.AsyncClient) -> None:
    await summary_fixture(api)
    await sign_in(browserless, await staff_user(api.container, "finance"))
    not_a_date = await browserless.get("/dashboard/reports?from=2024-13-01")
    assert not_a_date.status_code == 400 and "Not a date" in not_a_date.text
    backwards = await browserless.get("/dashboard/reports?from=2024-12-30&to=2024-12-01")
    assert backwards.status_code == 400 and "before it starts" in backwards.text
    assert "Traceback" not in backwards.text
