"""VAT ids: normalised per type with python-stdnum; bad ones are 400s naming the param."""

from __future__ import annotations

import pytest

from payments.kernel.errors import InvalidRequest
from payments.tax.domain import (
    InvalidVatId,
    TaxIdType,
    check_vat_id,
    normalize_vat_id,
    vat_id_country,
    vat_id_type,
)


@pytest.mark.parametrize(
    ("type_", "value", "normalised", "country"),
    [
        ("eu_vat", "DE 136 695 976", "DE136695976", "DE"),
        ("eu_vat", "atu13585627", "ATU13585627", "AT"),
        ("eu_vat", "NL004495445B01", "NL004495445B01", "NL"),
        ("eu_vat", "EL094259216", "EL094259216", "GR"),
        ("eu_vat", "XI980780684", "XI980780684", "GB"),
        ("ch_vat", "CHE-113.398.497 MWST", "CHE-113.398.497 MWST", "CH"),
        ("ch_vat", "che113398497tva", "CHE-113.398.497 TVA", "CH"),
        ("ch_vat", "CHE-113.398.497", "CHE-113.398.497 MWST", "CH"),
        ("gb_vat", "GB 980 7806 84", "GB980780684", "GB"),
        ("gb_vat", "980780684", "GB980780684", "GB"),
        ("no_vat", "NO 995 525 828 MVA", "995525828MVA", "NO"),
        ("no_vat", "995525828", "995525828MVA", "NO"),
    ],
)
def test_vat_ids_are_normalised_per_type(
    type_: str, value: str, normalised: str, country: str
) -> None:
    assert normalize_vat_id(type_, value) == normalised
    assert vat_id_country(normalised) == country
    assert vat_id_type(normalised) is TaxIdType(type_)
    assert check_vat_id(normalised) == normalised


@pytest.mark.parametrize(
    ("type_", "value"),
    [
        ("eu_vat", "DE136695977"),  # checksum
        ("eu_vat", "DE13669597"),  # length
        ("eu_vat", "136695976"),  # no country prefix
        ("eu_vat", "GB980780684"),  # not an EU number
        ("eu_vat", "CHE-113.398.497 MWST"),
        ("ch_vat", "CHE-113.398.498 MWST"),
        ("gb_vat", "GB980780685"),
        ("no_vat", "995525829MVA"),
        ("eu_vat", ""),
        ("eu_vat", "DE" + "1" * 80),
    ],
)
def test_a_bad_vat_id_is_a_400_tax_id_invalid_naming_value(type_: str, value: str) -> None:
    with pytest.raises(InvalidVatId) as raised:
        normalize_vat_id(type_, value)
    assert isinstance(raised.value, InvalidRequest)
    assert (raised.value.code, raised.value.param) == ("tax_id_invalid", "value")


def test_an_unknown_tax_id_type_is_a_400_naming_type() -> None:
    with pytest.raises(InvalidRequest) as raised:
        normalize_vat_id("us_ein", "12-3456789")
    assert (raised.value.code, raised.value.param) == ("parameter_invalid", "type")
