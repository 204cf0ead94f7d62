"""The packaged VAT rate table: current values, recent history, and load-time validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from payments.kernel.errors import InvalidRequest
from payments.tax.domain import (
    COVERAGE_START,
    EU_MEMBER_STATES,
    SUPPORTED_COUNTRIES,
    RateTableError,
    TaxCategory,
    UnknownTaxRate,
    rate_for,
    rate_table,
)
from payments.tax.domain.rates import parse_rate_table

ON = date(2026, 12, 1)
S, R, R2, R3, SR = "standard", "reduced", "reduced_2", "reduced_3", "super_reduced"

CURRENT = [
    ("DE", S, "19"), ("DE", R, "7"),
    ("NL", S, "21"), ("NL", R, "9"),
    ("PL", S, "23"), ("PL", R, "8"), ("PL", R2, "5"),
    ("SE", S, "25"), ("SE", R, "12"), ("SE", R2, "6"),
    ("CH", S, "8.1"), ("CH", R, "2.6"), ("CH", R2, "3.8"),
    ("FI", S, "25.5"), ("FI", R, "13.5"), ("FI", R2, "10"),
    ("AT", S, "20"), ("AT", R, "10"), ("AT", R2, "13"), ("AT", SR, "4.9"),
    ("FR", S, "20"), ("FR", R, "10"), ("FR", R2, "5.5"), ("FR", SR, "2.1"),
    ("IT", S, "22"), ("IT", R, "10"), ("IT", R2, "5"), ("IT", SR, "4"),
    ("BE", S, "21"), ("BE", R, "12"), ("BE", R2, "6"),
    ("GB", S, "20"), ("GB", R, "5"),
    ("NO", S, "25"), ("NO", R, "15"), ("NO", R2, "12"),
    ("EE", S, "24"), ("EE", R, "13"), ("EE", R2, "9"),
    ("SK", S, "23"), ("SK", R, "19"), ("SK", R2, "5"),
    ("RO", S, "21"), ("RO", R, "11"),
    ("CZ", S, "21"), ("CZ", R, "12"),
    ("LT", S, "21"), ("LT", R, "12"), ("LT", R2, "5"),
    ("LU", S, "17"), ("LU", R, "14"), ("LU", R2, "8"), ("LU", SR, "3"),
    ("IE", S, "23"), ("IE", R, "13.5"), ("IE", R2, "9"), ("IE", SR, "4.8"),
    ("ES", S, "21"), ("ES", R, "10"), ("ES", SR, "4"),
    ("PT", S, "23"), ("HU", S, "27"), ("HR", S, "25"), ("DK", S, "25"), ("GR", S, "24"),
    ("CY", S, "19"), ("CY", SR, "3"), ("MT", S, "18"), ("MT", R3, "5"), ("SI", R, "9.5"),
    ("LV", S, "21"), ("BG", S, "20"),
]  # fmt: skip


@pytest.mark.parametrize(("country", "category", "rate"), CURRENT)
def test_rates_in_force_on_1_december_2026(country: str, category: str, rate: str) -> None:
    assert rate_for(country, TaxCategory(category), ON) == Decimal(rate)


HISTORY = [
    ("FI", S, "2024-08-31", "24"), ("FI", S, "2024-09-01", "25.5"),
    ("FI", R, "2025-12-31", "14"), ("FI", R, "2026-01-01", "13.5"),
    ("EE", S, "2023-12-31", "20"), ("EE", S, "2024-01-01", "22"),
    ("EE", S, "2025-06-30", "22"), ("EE", S, "2025-07-01", "24"),
    ("EE", R, "2024-12-31", "9"), ("EE", R, "2025-01-01", "13"),
    ("SK", S, "2024-12-31", "20"), ("SK", S, "2025-01-01", "23"),
    ("SK", R, "2024-12-31", "10"), ("SK", R, "2025-01-01", "19"),
    ("CH", S, "2023-12-31", "7.7"), ("CH", S, "2024-01-01", "8.1"),
    ("CH", R, "2023-12-31", "2.5"), ("CH", R2, "2023-12-31", "3.7"),
    ("RO", S, "2025-07-31", "19"), ("RO", S, "2025-08-01", "21"),
    ("RO", R, "2025-07-31", "9"), ("RO", R, "2025-08-01", "11"), ("RO", R2, "2025-07-31", "5"),
    ("CZ", R, "2023-12-31", "15"), ("CZ", R, "2024-01-01", "12"), ("CZ", R2, "2023-12-31", "10"),
    ("LU", S, "2023-06-30", "16"), ("LU", S, "2024-01-01", "17"),
    ("LT", R, "2025-12-31", "9"), ("LT", R, "2026-01-01", "12"),
    ("AT", R, "2026-07-01", "10"),
]  # fmt: skip


@pytest.mark.parametrize(("country", "category", "on", "rate"), HISTORY)
def test_recent_rate_changes_apply_from_their_first_day(
    country: str, category: str, on: str, rate: str
) -> None:
    assert rate_for(country, TaxCategory(category), date.fromisoformat(on)) == Decimal(rate)


@pytest.mark.parametrize(
    ("country", "category", "on"),
    [
        ("CZ", R2, "2024-01-01"),  # merged into 12 %
        ("RO", R2, "2025-08-01"),  # merged into 11 %
        ("AT", SR, "2026-06-30"),  # 4.9 % starts 2026-07-01
        ("CY", SR, "2023-07-20"),  # 3 % starts 2023-07-21
        ("DK", R, "2026-12-01"),  # Denmark has no reduced rate
        ("DE", S, "2022-12-31"),  # before the file's coverage
        ("US", S, "2026-12-01"),  # not covered
    ],
)
def test_a_rate_that_does_not_exist_is_a_400_tax_rate_unknown(
    country: str, category: str, on: str
) -> None:
    with pytest.raises(UnknownTaxRate) as raised:
        rate_for(country, TaxCategory(category), date.fromisoformat(on))
    assert isinstance(raised.value, InvalidRequest)
    assert raised.value.code == "tax_rate_unknown"
    assert raised.value.param == "tax_category"


def test_the_file_covers_eu27_ch_no_gb_each_with_standard_zero_and_exempt() -> None:
    table = rate_table()
    assert len(EU_MEMBER_STATES) == 27
    assert table.countries == SUPPORTED_COUNTRIES == EU_MEMBER_STATES | {"CH", "NO", "GB"}
    for country in SUPPORTED_COUNTRIES:
        for on in (COVERAGE_START, ON):
            rates = table.rates_on(country, on)
            assert rates[TaxCategory.ZERO] == rates[TaxCategory.EXEMPT] == 0
            assert Decimal(15) <= rates[TaxCategory.STANDARD] < 28 or country in {"CH"}


def test_every_rate_period_names_its_source_and_what_it_covers() -> None:
    for period in rate_table():
        assert period.source.strip() and period.description.strip(), period
        assert period.rate.as_tuple().exponent >= -2


def test_the_table_is_loaded_once() -> None:
    assert rate_table() is rate_table()


HEADER = "country,category,rate,valid_from,valid_to,source,description\n"
STD = "DE,standard,19,2023-01-01,,law,all\n"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("DE,reduced,7,2023-01-01,2024-12-31,law,x\nDE,reduced,8,2024-06-01,,law,x\n", "overlaps"),
        ("DE,reduced,7,2023-01-01,2024-12-31,law,x\nDE,reduced,8,2025-01-02,,law,x\n", "gap"),
        ("DE,reduced,7,2023-01-01,,law,x\nDE,reduced,8,2025-01-01,,law,x\n", "overlaps"),
        ("DE,reduced,7.125,2023-01-01,,law,x\n", "2 decimals"),
        ("DE,reduced,100,2023-01-01,,law,x\n", "[0, 100)"),
        ("DE,reduced,abc,2023-01-01,,law,x\n", "not a decimal"),
        ("DE,zero,5,2023-01-01,,law,x\n", "rate 0"),
        ("DE,reduced,7,2023-01-01,,,x\n", "source"),
        ("DE,reduced,7,2023-02-30,,law,x\n", "ISO date"),
        ("DE,reduced,7,2023-02-01,2023-01-01,law,x\n", "before valid_from"),
        ("XX,standard,7,2023-01-01,,law,x\n", "unknown country"),
        ("DE,luxury,30,2023-01-01,,law,x\n", "unknown category"),
        ("AT,reduced,10,2023-01-01,,law,x\n", "no standard rate"),
    ],
)
def test_an_inconsistent_rate_file_is_refused_when_loaded(rows: str, message: str) -> None:
    with pytest.raises(RateTableError, match=message.replace("[", r"\[").replace(")", r"\)")):
        parse_rate_table(HEADER + STD + rows)


def test_a_rate_file_with_other_columns_is_refused() -> None:
    with pytest.raises(RateTableError, match="columns"):
        parse_rate_table("country,category,rate\nDE,standard,19\n")
