"""The VIES adapter against a fake VIES on a real socket; the offline default."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from payments.kernel.clock import FrozenClock
from payments.tax.adapters.vies import ViesVatIdChecker
from payments.tax.checker import OfflineVatIdChecker
from payments.tax.domain import InvalidVatId, TaxIdType
from payments.tax.domain.verification import VerificationStatus
from support.fake_vies import FakeVies, running_fake_vies

EU = TaxIdType.EU_VAT


@pytest.fixture
def vies() -> Iterator[FakeVies]:
    with running_fake_vies(
        ATU13585627=("ACME Handels GmbH", "Ringstrasse 1\n1010   Wien"),
        DE136695976=("---", "---"),
    ) as fake:
        yield fake


def checker(vies: FakeVies, clock: FrozenClock, **kw: object) -> ViesVatIdChecker:
    return ViesVatIdChecker(clock=clock, base_url=vies.url, timeout_seconds=0.5, **kw)  # type: ignore[arg-type]


async def test_a_registered_number_is_verified_with_name_address_and_date(
    vies: FakeVies, clock: FrozenClock
) -> None:
    c = checker(vies, clock)
    try:
        result = await c.check(EU, "ATU13585627")
    finally:
        await c.aclose()
    assert result.status is VerificationStatus.VERIFIED
    assert (result.verified_name, result.verified_address) == (
        "ACME Handels GmbH",
        "Ringstrasse 1 1010 Wien",
    )
    assert result.checked_at == clock.now()
    assert result.source == "vies"
    assert vies.requests == [{"countryCode": "AT", "vatNumber": "U13585627"}]


async def test_a_member_state_that_discloses_nothing_still_verifies(
    vies: FakeVies, clock: FrozenClock
) -> None:
    c = checker(vies, clock, requester_vat_id="DE 136 695 976")
    try:
        result = await c.check(EU, "DE136695976")
    finally:
        await c.aclose()
    assert result.status is VerificationStatus.VERIFIED
    assert (result.verified_name, result.verified_address) == (None, None)
    assert result.reference == "WAPIAAAAXYZ123"  # the consultation number, kept as proof
    assert vies.requests[0]["requesterNumber"] == "136695976"


async def test_an_unregistered_number_is_unverified(vies: FakeVies, clock: FrozenClock) -> None:
    c = checker(vies, clock)
    try:
        result = await c.check(EU, "NL004495445B01")
    finally:
        await c.aclose()
    assert result.status is VerificationStatus.UNVERIFIED
    assert result.verified_name is None


@pytest.mark.parametrize(
    ("answer", "detail"),
    [("MS_UNAVAILABLE", "MS_UNAVAILABLE"), (503, "INTERNAL"), ("hold", "timeout")],
)
async def test_vies_trouble_is_unavailable_not_an_error(
    vies: FakeVies, clock: FrozenClock, answer: str | int, detail: str
) -> None:
    vies.answer(answer)
    c = checker(vies, clock)
    try:
        result = await c.check(EU, "ATU13585627")
    finally:
        await c.aclose()
    assert result.status is VerificationStatus.UNAVAILABLE
    assert result.detail == detail
    assert result.checked_at == clock.now()


async def test_an_unreachable_vies_is_unavailable(clock: FrozenClock) -> None:
    with running_fake_vies() as gone:
        url = gone.url
    c = ViesVatIdChecker(clock=clock, base_url=url, timeout_seconds=0.5)
    try:
        result = await c.check(EU, "ATU13585627")
    finally:
        await c.aclose()
    assert result.status is VerificationStatus.UNAVAILABLE
    assert result.detail is not None and result.detail.startswith("network error")


async def test_vies_is_not_asked_about_non_eu_numbers_or_bad_checksums(
    vies: FakeVies, clock: FrozenClock
) -> None:
    c = checker(vies, clock)
    try:
        swiss = await c.check(TaxIdType.CH_VAT, "CHE-113.398.497 MWST")
        with pytest.raises(InvalidVatId):
            await c.check(EU, "ATU13585628")
    finally:
        await c.aclose()
    assert swiss.status is VerificationStatus.UNAVAILABLE
    assert vies.requests == []


async def test_the_offline_default_checks_format_and_checksum_only(clock: FrozenClock) -> None:
    offline = OfflineVatIdChecker(clock)
    result = await offline.check(EU, "ATU13585627")
    assert (result.status, result.source, result.checked_at) == (
        VerificationStatus.UNAVAILABLE,
        "offline",
        clock.now(),
    )
    with pytest.raises(InvalidVatId):
        await offline.check(EU, "ATU13585628")
