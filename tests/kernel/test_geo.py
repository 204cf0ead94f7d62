"""Countries, locales and time zones: normalised to one spelling, refused with the
offending ``param`` named."""

from __future__ import annotations

import pytest

from payments.kernel.errors import InvalidRequest
from payments.kernel.geo import (
    country_currency,
    normalize_country,
    normalize_locale,
    validate_timezone,
)

# --------------------------------------------------------------------------- countries


@pytest.mark.parametrize(("given", "normal"), [("de", "DE"), ("Ch", "CH"), ("PL", "PL")])
def test_a_country_is_normalised_to_upper_case(given: str, normal: str) -> None:
    assert normalize_country(given) == normal


def test_kosovo_is_a_country_though_iso_only_reserves_its_code() -> None:
    assert normalize_country("xk") == "XK"


@pytest.mark.parametrize("code", ["DEU", "D", "", "12", "ZZ", "QQ"])
def test_anything_but_a_known_two_letter_code_is_refused(code: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        normalize_country(code)
    assert refused.value.code == "country_invalid"
    assert refused.value.param == "country"


@pytest.mark.parametrize("grouping", ["EU", "EZ", "UN", "QO", "XA", "XB"])
def test_groupings_and_pseudo_regions_are_not_countries(grouping: str) -> None:
    """CLDR lists the EU, the euro area, the UN and pseudo-locale regions among its
    territories; nobody has an address there."""
    with pytest.raises(InvalidRequest):
        normalize_country(grouping)


def test_a_refused_country_names_the_param_it_came_from() -> None:
    with pytest.raises(InvalidRequest) as refused:
        normalize_country("XX", param="address[country]")
    assert refused.value.param == "address[country]"


@pytest.mark.parametrize(
    ("country", "currency"),
    [("DE", "eur"), ("CH", "chf"), ("PL", "pln"), ("SE", "sek"), ("GB", "gbp"), ("XK", "eur")],
)
def test_a_country_has_the_lower_case_currency_it_uses_today(country: str, currency: str) -> None:
    assert country_currency(country) == currency


def test_a_place_without_a_currency_is_an_invalid_request() -> None:
    with pytest.raises(InvalidRequest) as refused:
        country_currency("AQ")  # Antarctica
    assert refused.value.param == "country"


# --------------------------------------------------------------------------- locales


@pytest.mark.parametrize(
    ("tag", "normal"),
    [
        ("de_DE", "de-DE"),
        ("de-de", "de-DE"),
        ("EN", "en"),
        ("pt-BR", "pt-BR"),
        ("sr_Latn_RS", "sr-Latn-RS"),
    ],
)
def test_a_locale_is_normalised_to_a_bcp47_style_tag(tag: str, normal: str) -> None:
    assert normalize_locale(tag) == normal


@pytest.mark.parametrize("tag", ["xx", "english", "", "de-DE-x-private"])
def test_an_unknown_locale_is_refused_naming_the_param(tag: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        normalize_locale(tag, param="preferred_locales[2]")
    assert refused.value.code == "locale_invalid"
    assert refused.value.param == "preferred_locales[2]"


# --------------------------------------------------------------------------- time zones


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Europe/Zurich", "UTC", "Etc/GMT+1"])
def test_iana_time_zones_are_accepted_as_given(zone: str) -> None:
    assert validate_timezone(zone) == zone


@pytest.mark.parametrize(
    "zone", ["europe/berlin", "Mars/Olympus", "CEST", "../../etc/passwd", "", "Europe/"]
)
def test_only_canonical_iana_names_are_accepted(zone: str) -> None:
    """Case variants and paths are refused even where the file system would find a file."""
    with pytest.raises(InvalidRequest) as refused:
        validate_timezone(zone, param="timezone")
    assert refused.value.param == "timezone"
