"""calculate_tax: the VAT rules per buyer and line, and EN 16931 rounding, hand-computed."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from payments.kernel.errors import InvalidRequest
from payments.tax.domain import (
    ExemptionReasonMissing,
    InvalidVatId,
    MixedTaxBehavior,
    SupplyKind,
    TaxableLine,
    TaxBehavior,
    TaxBreakdown,
    TaxCalculation,
    TaxCategory,
    TaxExempt,
    TaxParty,
    UnknownTaxRate,
    calculate_tax,
)

ON = date(2026, 12, 1)
DE_SHOP = TaxParty("DE", "DE136695976")
CH_SHOP = TaxParty("CH", "CHE-113.398.497 MWST")
GB_SHOP = TaxParty("GB", "GB980780684")
DE_CONSUMER = TaxParty("DE")
DE_BUSINESS = TaxParty("DE", "DE136695976")
AT_BUSINESS = TaxParty("AT", "ATU13585627")
FR_CONSUMER = TaxParty("FR")
CH_BUSINESS = TaxParty("CH", "CHE-113.398.497 MWST")
CH_CONSUMER = TaxParty("CH")
LI_CONSUMER = TaxParty("LI")
GOODS, SERVICES = SupplyKind.GOODS, SupplyKind.SERVICES
INCL = TaxBehavior.INCLUSIVE


_keys = itertools.count()


def line(amount: int, category: str = "standard", **kw: Any) -> TaxableLine:
    return TaxableLine(
        key=f"l{next(_keys)}", amount=amount, tax_category=TaxCategory(category), **kw
    )


def calc(
    lines: list[TaxableLine],
    seller: TaxParty = DE_SHOP,
    buyer: TaxParty = DE_CONSUMER,
    currency: str = "eur",
    on: date = ON,
) -> TaxCalculation:
    return calculate_tax(lines, seller=seller, buyer=buyer, currency=currency, tax_point=on)


def groups(result: TaxCalculation) -> list[tuple[str, str, int, int]]:
    return [
        (b.category_code, str(b.rate), b.taxable_amount, b.tax_amount) for b in result.breakdown
    ]


# --- rounding ---------------------------------------------------------------------------


def test_vat_is_rounded_once_per_group_not_per_line() -> None:
    # 3 x 0.10 at 19 %: 0.30 x 0.19 = 0.057 -> 0.06 for the group. With 0.07 lines per-line
    # rounding would differ: 3 x round(1.33) = 3, but the group's 0.21 x 0.19 = 0.0399 -> 0.04.
    result = calc([line(10), line(10), line(10)])
    assert groups(result) == [("S", "19", 30, 6)]
    result = calc([line(7), line(7), line(7)])
    assert groups(result) == [("S", "19", 21, 4)]


def test_yen_has_no_minor_unit_and_is_rounded_per_group() -> None:
    # 333 * 0.19 = 63.27 -> 63, 334 * 0.19 = 63.46 -> 63: per line 189; per group 1000 -> 190
    result = calc([line(333), line(333), line(334)], currency="jpy")
    assert groups(result) == [("S", "19", 1000, 190)]
    assert (result.net_total, result.tax_total, result.gross_total) == (1000, 190, 1190)


@pytest.mark.parametrize(
    ("seller", "category", "amount", "tax"),
    [
        (DE_SHOP, "reduced", 50, 4),  # 3.5 -> 4 (half up)
        (DE_SHOP, "reduced", -50, -4),  # -3.5 -> -4 (ties away from zero)
        (DE_SHOP, "standard", 250, 48),  # 47.5 -> 48
        (CH_SHOP, "standard", 10000, 810),  # 8.1 %: 100.00 CHF -> 8.10
        (CH_SHOP, "standard", 1234, 100),  # 99.954 -> 100
        (CH_SHOP, "reduced", 10000, 260),  # 2.6 %
        (CH_SHOP, "reduced_2", 5000, 190),  # 3.8 %
        (TaxParty("FI"), "standard", 10000, 2550),  # 25.5 %
        (TaxParty("FI"), "standard", 2, 1),  # 0.51 -> 1
        (TaxParty("FI"), "reduced", 1000, 135),  # 13.5 % from 2026
    ],
)
def test_exclusive_group_tax_is_half_up_of_taxable_times_rate(
    seller: TaxParty, category: str, amount: int, tax: int
) -> None:
    buyer = TaxParty(seller.country)
    result = calc([line(amount, category)], seller=seller, buyer=buyer, currency="eur")
    assert result.breakdown[0].tax_amount == tax
    assert result.gross_total == amount + tax


def test_the_rate_is_the_one_in_force_on_the_tax_point() -> None:
    fi = TaxParty("FI")
    assert calc([line(10000)], fi, fi, on=date(2024, 8, 31)).tax_total == 2400
    assert calc([line(10000)], fi, fi, on=date(2024, 9, 1)).tax_total == 2550


@pytest.mark.parametrize(
    ("gross", "net", "tax"),
    [
        (11900, 10000, 1900),  # 119.00 -> 100.00 + 19.00
        (100, 84, 16),  # 1.00: 84 + round(15.96) = 100
        (10005, 8408, 1597),  # unreachable: 8407 -> 10004, 8408 -> 10006; nearest net kept
        (9, 8, 1),  # unreachable: 7 -> 8, 8 -> 10
        (0, 0, 0),
        (-11900, -10000, -1900),  # a credit: the exact negative
    ],
)
def test_inclusive_prices_keep_the_gross_and_derive_the_net(gross: int, net: int, tax: int) -> None:
    result = calc([line(gross, tax_behavior=INCL)])
    assert groups(result) == [("S", "19", net, tax)]
    assert result.gross_total == gross


def test_inclusive_lines_of_a_group_share_its_net_exactly() -> None:
    # 3 x 1.19 = 3.57 -> net 3.00 + 0.57; each line 1.00
    result = calc([line(119, tax_behavior=INCL) for _ in range(3)])
    assert [li.net_amount for li in result.lines] == [100, 100, 100]
    # 2 x 0.50 = 1.00 -> net 0.84: per line 0.42 + 0.42
    result = calc([line(50, tax_behavior=INCL), line(50, tax_behavior=INCL)])
    assert [li.net_amount for li in result.lines] == [42, 42]
    assert groups(result) == [("S", "19", 84, 16)]
    # 0.99 + 0.01 = 1.00 -> 0.84; 0.83 + 0.01 = 0.84 exactly
    result = calc([line(99, tax_behavior=INCL), line(1, tax_behavior=INCL)])
    assert sum(li.net_amount for li in result.lines) == 84


def test_inclusive_and_exclusive_lines_in_one_calculation_are_refused() -> None:
    with pytest.raises(MixedTaxBehavior) as raised:
        calc([line(100), line(100, tax_behavior=INCL)])
    assert raised.value.code == "tax_behavior_mixed"
    assert raised.value.param == "lines[1][tax_behavior]"


def test_mixed_rates_make_one_group_each_standard_first() -> None:
    result = calc([line(1000, "reduced"), line(5000), line(999, "reduced"), line(300, "zero")])
    assert groups(result) == [("S", "19", 5000, 950), ("S", "7", 1999, 140), ("Z", "0", 300, 0)]
    assert (result.net_total, result.tax_total, result.gross_total) == (7299, 1090, 8389)
    assert result.notes == ()
    assert result.breakdown[-1].exemption_reason is None  # BR-Z-10: no reason on Z


# --- rules ------------------------------------------------------------------------------


def test_domestic_b2c_and_b2b_pay_the_sellers_vat() -> None:
    for buyer in (DE_CONSUMER, DE_BUSINESS):
        result = calc([line(10000)], buyer=buyer)
        assert groups(result) == [("S", "19", 10000, 1900)]
        assert result.notes == ()


def test_a_consumer_of_another_member_state_pays_the_sellers_vat() -> None:
    assert groups(calc([line(10000, kind=GOODS)], buyer=FR_CONSUMER)) == [("S", "19", 10000, 1900)]


def test_services_to_a_business_of_another_member_state_are_reverse_charged() -> None:
    result = calc([line(10000), line(5000, "reduced")], buyer=AT_BUSINESS)
    assert groups(result) == [("AE", "0", 15000, 0)]
    assert result.notes == ("reverse_charge",)
    assert result.breakdown[0].exemption_reason == "Reverse charge"
    assert result.breakdown[0].exemption_reason_code == "VATEX-EU-AE"
    assert {li.category_code for li in result.lines} == {"AE"}


def test_goods_to_a_business_of_another_member_state_are_an_intra_community_supply() -> None:
    result = calc([line(10000, kind=GOODS), line(2000, kind=SERVICES)], buyer=AT_BUSINESS)
    assert groups(result) == [("AE", "0", 2000, 0), ("K", "0", 10000, 0)]
    assert result.notes == ("intra_community", "reverse_charge")
    assert result.breakdown[1].exemption_reason_code == "VATEX-EU-IC"


def test_a_buyer_with_tax_exempt_reverse_is_reverse_charged_even_at_home() -> None:
    buyer = TaxParty("DE", tax_exempt=TaxExempt.REVERSE)
    result = calc([line(10000, kind=GOODS)], buyer=buyer)
    assert groups(result) == [("AE", "0", 10000, 0)]
    fr_reverse = TaxParty("FR", tax_exempt=TaxExempt.REVERSE)
    assert groups(calc([line(100)], buyer=fr_reverse)) == [("AE", "0", 100, 0)]


def test_a_buyer_vat_id_of_the_sellers_own_country_is_domestic() -> None:
    buyer = TaxParty("FR", "DE136695976")  # a French address, a German VAT registration
    assert groups(calc([line(100)], buyer=buyer)) == [("S", "19", 100, 19)]


def test_exports_outside_the_eu_goods_g_and_business_services_o() -> None:
    result = calc([line(10000, kind=GOODS), line(5000)], buyer=CH_BUSINESS)
    assert groups(result) == [("G", "0", 10000, 0), ("O", "0", 5000, 0)]
    assert result.notes == ("export", "not_subject")
    assert [b.exemption_reason_code for b in result.breakdown] == ["VATEX-EU-G", "VATEX-EU-O"]


def test_services_to_a_consumer_outside_the_eu_keep_the_sellers_vat() -> None:
    # A Swiss tourist's laptop repaired in Berlin: place of supply is the shop (Art. 54(2)(b))
    result = calc([line(10000), line(2000, kind=GOODS)], buyer=CH_CONSUMER)
    assert groups(result) == [("S", "19", 10000, 1900), ("G", "0", 2000, 0)]


def test_swiss_sellers_apply_swiss_vat_at_home_and_in_liechtenstein() -> None:
    assert groups(calc([line(10000)], CH_SHOP, CH_BUSINESS, "chf")) == [("S", "8.1", 10000, 810)]
    assert groups(calc([line(10000)], CH_SHOP, LI_CONSUMER, "chf")) == [("S", "8.1", 10000, 810)]


def test_swiss_sellers_export_to_the_eu() -> None:
    result = calc([line(10000, kind=GOODS), line(100)], CH_SHOP, AT_BUSINESS, "chf")
    assert groups(result) == [("G", "0", 10000, 0), ("O", "0", 100, 0)]


def test_uk_sellers_export_to_the_eu_and_charge_uk_vat_at_home() -> None:
    assert groups(calc([line(1000, kind=GOODS)], GB_SHOP, FR_CONSUMER, "gbp")) == [
        ("G", "0", 1000, 0)
    ]
    assert groups(calc([line(1000, "reduced")], GB_SHOP, TaxParty("GB"), "gbp")) == [
        ("S", "5", 1000, 50)
    ]


def test_exempt_lines_need_a_reason_and_carry_it_with_the_vatex_code() -> None:
    with pytest.raises(ExemptionReasonMissing) as raised:
        calc([line(100), line(100, "exempt")])
    assert raised.value.code == "tax_exemption_reason_missing"
    assert raised.value.param == "lines[1][exemption_reason]"
    result = calc(
        [
            line(100),
            line(
                2000,
                "exempt",
                exemption_reason="Medical care",
                exemption_reason_code="vatex-eu-132-1c",
            ),
        ]
    )
    assert groups(result) == [("S", "19", 100, 19), ("E", "0", 2000, 0)]
    exempt = result.breakdown[1]
    assert (exempt.exemption_reason, exempt.exemption_reason_code) == (
        "Medical care",
        "VATEX-EU-132-1C",
    )
    assert result.notes == ("exempt",)


def test_an_exemption_reason_code_must_look_like_a_vatex_code() -> None:
    with pytest.raises(InvalidRequest) as raised:
        calc([line(1, "exempt", exemption_reason="x", exemption_reason_code="132")])
    assert raised.value.param == "lines[0][exemption_reason_code]"


def test_several_exemption_reasons_share_one_e_group() -> None:
    result = calc(
        [
            line(
                100,
                "exempt",
                exemption_reason="Medical care",
                exemption_reason_code="VATEX-EU-132-1C",
            ),
            line(
                200, "exempt", exemption_reason="Insurance", exemption_reason_code="VATEX-EU-132-1A"
            ),
        ]
    )
    assert groups(result) == [("E", "0", 300, 0)]
    assert result.breakdown[0].exemption_reason == "Insurance; Medical care"
    assert result.breakdown[0].exemption_reason_code is None


def test_an_exempt_buyer_pays_no_vat_on_any_line() -> None:
    embassy = TaxParty("DE", tax_exempt=TaxExempt.EXEMPT, exemption_reason="Diplomatic mission")
    result = calc([line(10000), line(500, "reduced", kind=GOODS)], buyer=embassy)
    assert groups(result) == [("E", "0", 10500, 0)]
    assert result.breakdown[0].exemption_reason == "Diplomatic mission"
    anonymous = TaxParty("DE", tax_exempt=TaxExempt.EXEMPT)
    assert calc([line(1)], buyer=anonymous).breakdown[0].exemption_reason


def test_rates_at_zero_keep_inclusive_amounts_whole() -> None:
    result = calc([line(11900, tax_behavior=INCL)], buyer=AT_BUSINESS)
    assert groups(result) == [("AE", "0", 11900, 0)]


def test_an_empty_calculation_is_all_zero() -> None:
    result = calc([])
    assert (result.lines, result.breakdown, result.gross_total, result.notes) == ((), (), 0, ())


def test_bad_inputs_are_400s_naming_the_param() -> None:
    with pytest.raises(InvalidRequest) as raised:
        calc([line(1)], currency="xyz")
    assert (raised.value.code, raised.value.param) == ("currency_invalid", "currency")
    with pytest.raises(InvalidVatId) as vat:
        calc([line(1)], buyer=TaxParty("AT", "ATU13585628"))
    assert (vat.value.code, vat.value.param) == ("tax_id_invalid", "buyer[vat_id]")
    with pytest.raises(UnknownTaxRate):
        calc([line(1)], seller=TaxParty("US"), buyer=TaxParty("US"), currency="usd")
    with pytest.raises(UnknownTaxRate):
        calc([line(1, "super_reduced")])  # Germany has none
    with pytest.raises(InvalidRequest) as country:
        TaxParty("de")
    assert country.value.code == "country_invalid"
    with pytest.raises(TypeError):
        TaxableLine("x", 1.5)  # type: ignore[arg-type]


def test_breakdown_rates_are_plain_decimals() -> None:
    result = calc([line(100)], CH_SHOP, CH_CONSUMER, "chf")
    assert result.breakdown == (TaxBreakdown("S", Decimal("8.1"), 100, 8, None, None),)
    assert result.lines[0].rate == Decimal("8.1")
