"""Which country a payment's IP address is in, offline: the shipped sample knows the
documentation ranges (tests, demos), geoip2fast's shipped GeoLite2 database real IPv4
addresses; a configured RIR table replaces both; what nobody knows has no country."""

from __future__ import annotations

from pathlib import Path

from payments.fraud.adapters.wiring import ip_country_table


def test_real_addresses_get_their_country_without_any_configuration() -> None:
    lookup = ip_country_table(None)
    assert lookup.country("8.8.8.8") == "US"  # Google's public resolver
    assert lookup.country("81.2.69.142") == "GB"  # MaxMind's own test address
    assert lookup.country("203.0.113.7") is not None  # the sample's documentation range


def test_what_nobody_knows_has_no_country() -> None:
    lookup = ip_country_table(None)
    for unknown in ("10.1.2.3", "127.0.0.1", "not an ip", "", None):
        assert lookup.country(unknown) is None, unknown


def test_a_configured_rir_table_is_the_only_source(tmp_path: Path) -> None:
    table = tmp_path / "delegated.txt"
    table.write_text("ripencc|NL|ipv4|8.8.8.0|256|20260101|allocated\n")
    lookup = ip_country_table(str(table))
    assert lookup.country("8.8.8.8") == "NL"
    assert lookup.country("81.2.69.142") is None
