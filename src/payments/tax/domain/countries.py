"""Which countries form which VAT area."""

from __future__ import annotations

EU_MEMBER_STATES: frozenset[str] = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip

#: Countries outside the EU whose own VAT the engine applies to their sellers.
NON_EU_VAT_COUNTRIES: frozenset[str] = frozenset({"CH", "NO", "GB"})

#: Every country the rate file covers.
SUPPORTED_COUNTRIES: frozenset[str] = EU_MEMBER_STATES | NON_EU_VAT_COUNTRIES

_EU = "EU"


def vat_area(country: str) -> str:
    """The VAT territory a country belongs to: ``"EU"`` for member states; CH with LI
    (Liechtenstein applies Swiss VAT); any other country is its own area."""
    if country in EU_MEMBER_STATES:
        return _EU
    if country == "LI":
        return "CH"
    return country


def is_eu(country: str) -> bool:
    return country in EU_MEMBER_STATES
