"""ECB reference rates: the rate of a date (weekends and holidays take the last one
published), exact conversion with the named rounding, cross rates, the shipped history
and the refresh from ECB's daily XML."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.app.bootstrap import Container
from payments.fx.domain import (
    RateHistory,
    RateUnavailable,
    ReferenceRate,
    convert,
    cross_rate,
    parse_history_csv,
)
from payments.fx.ecb import parse_daily_xml, shipped_history
from payments.fx.service import EcbReferenceRates, refresh_rates
from payments.kernel.errors import InvalidRequest

HISTORY = RateHistory(
    {
        "pln": [(date(2024, 12, 27), Decimal("4.2753")), (date(2024, 12, 30), Decimal("4.2655"))],
        "usd": [(date(2024, 12, 27), Decimal("1.0435")), (date(2024, 12, 30), Decimal("1.0444"))],
        "jpy": [(date(2024, 12, 27), Decimal("163.66"))],
    }
)


def test_a_weekend_date_takes_fridays_rate_and_says_so() -> None:
    saturday = date(2024, 12, 28)
    rate = HISTORY.rate_on("pln", saturday)
    assert rate == ReferenceRate("pln", Decimal("4.2753"), date(2024, 12, 27))
    assert HISTORY.rate_on("PLN", date(2024, 12, 30)).rate == Decimal("4.2655")


def test_no_rate_before_the_first_published_one_nor_for_an_unknown_currency() -> None:
    with pytest.raises(RateUnavailable):
        HISTORY.rate_on("pln", date(2024, 12, 26))
    with pytest.raises(RateUnavailable):
        HISTORY.rate_on("xyz", date(2024, 12, 27))


def test_a_rate_older_than_any_holiday_gap_means_the_history_needs_a_refresh() -> None:
    assert HISTORY.rate_on("pln", date(2025, 1, 4)).rate_date == date(2024, 12, 30)  # 5 days
    with pytest.raises(RateUnavailable, match="payments fx refresh") as stale:
        HISTORY.rate_on("pln", date(2025, 1, 5))
    assert stale.value.latest == date(2024, 12, 30)


def test_conversion_is_exact_and_rounds_half_up_once() -> None:
    rate = HISTORY.rate_on("pln", date(2024, 12, 27))
    # 100.00 PLN / 4.2753 = 23.39017...EUR -> 2339
    assert convert(10000, rate) == 2339
    # 0.05 PLN / 4.2753 = 0.011695 EUR -> 0.01; the half case: 5 / 2 = 2.5 -> 3 (half-up)
    assert convert(5, ReferenceRate("pln", Decimal(2), date(2024, 12, 27))) == 3
    assert convert(-5, ReferenceRate("pln", Decimal(2), date(2024, 12, 27))) == -3
    # JPY has no minor unit: 1000 JPY / 163.66 = 6.1102 EUR -> 611 cents
    assert convert(1000, HISTORY.rate_on("jpy", date(2024, 12, 27))) == 611


def test_a_cross_rate_is_the_quotient_of_the_ecb_rates_rounded_to_six_places() -> None:
    rate = cross_rate(HISTORY, "pln", "usd", date(2024, 12, 29))
    # 4.2753 / 1.0435 = 4.097077... PLN per USD
    assert (rate.rate, rate.rate_date, rate.per) == (Decimal("4.097077"), date(2024, 12, 27), "usd")
    assert convert(10000, rate) == 2441  # 100 / 4.097077 = 24.4076 USD
    same = cross_rate(HISTORY, "eur", "eur", date(2024, 12, 29))
    assert same.rate == 1 and convert(1234, same) == 1234


def test_the_shipped_history_is_ecbs_own_figures() -> None:
    history = shipped_history()
    christmas_saturday = history.rate_on("pln", date(2024, 12, 28))
    assert (christmas_saturday.rate, christmas_saturday.rate_date) == (
        Decimal("4.2753"),
        date(2024, 12, 27),
    )
    new_year = history.rate_on("sek", date(2025, 1, 1))  # a TARGET holiday
    assert (new_year.rate, new_year.rate_date) == (Decimal("11.459"), date(2024, 12, 31))
    assert {"pln", "sek", "chf", "usd", "eur"} <= history.currencies
    assert history.published("chf") and not history.published("hrk")


def test_the_history_csv_skips_missing_rates() -> None:
    parsed = parse_history_csv("Date,USD,HRK,\n2024-12-27,1.0435,N/A,\n")
    assert parsed == {"usd": [(date(2024, 12, 27), Decimal("1.0435"))]}


DAILY_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
  xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <Cube><Cube time="2099-01-02">
    <Cube currency="USD" rate="1.2001"/><Cube currency="PLN" rate="4.1002"/>
  </Cube></Cube>
</gesmes:Envelope>"""


def test_the_daily_xml_is_parsed_exactly() -> None:
    assert parse_daily_xml(DAILY_XML) == {
        "usd": [(date(2099, 1, 2), Decimal("1.2001"))],
        "pln": [(date(2099, 1, 2), Decimal("4.1002"))],
    }


async def test_refresh_stores_the_published_rates_and_reports_use_them(
    container: Container,
) -> None:
    fetched: list[str] = []

    async def fetch(url: str) -> bytes:
        fetched.append(url)
        return DAILY_XML

    with pytest.raises(InvalidRequest) as refused:
        await refresh_rates(
            None, fetch=fetch, uow_factory=container.uow_factory, clock=container.clock
        )
    assert refused.value.code == "fx_refresh_disabled" and fetched == []
    result = await refresh_rates(
        "https://ecb.test/eurofxref-daily.xml",
        fetch=fetch,
        uow_factory=container.uow_factory,
        clock=container.clock,
    )
    assert result == {"rates": 2, "currencies": 2, "from": "2099-01-02", "to": "2099-01-02"}
    history = await EcbReferenceRates(container.uow_factory).history()
    assert history.rate_on("usd", date(2099, 1, 3)) == ReferenceRate(
        "usd", Decimal("1.2001"), date(2099, 1, 2)
    )
    # the shipped history is still there underneath
    assert history.rate_on("pln", date(2024, 12, 28)).rate == Decimal("4.2753")


@given(
    amount=st.integers(min_value=-(10**12), max_value=10**12),
    rate=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("50000"), places=5),
    currency=st.sampled_from(["pln", "jpy", "kwd", "eur"]),
)
def test_integer_conversion_is_decimal_division_rounded_half_up(
    amount: int, rate: Decimal, currency: str
) -> None:
    from decimal import ROUND_HALF_UP, localcontext

    from payments.kernel.money import exponent

    with localcontext() as ctx:
        ctx.prec = 80
        expected = (Decimal(amount).scaleb(-exponent(currency)) / rate * Decimal(100)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
    assert convert(amount, ReferenceRate(currency, rate, date(2024, 12, 27))) == int(expected)
