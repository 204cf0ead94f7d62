"""The VAT id check port: ask an authority whether a VAT id is registered.

``VatIdChecker`` is the port (``check`` never raises for an authority's trouble: that is
``unavailable`` data, not an error; only a malformed number raises ``InvalidVatId``).
``OfflineVatIdChecker`` is the default: format and checksum only (python-stdnum), status
``unavailable``. ``payments.tax.adapters.vies.ViesVatIdChecker`` asks the EU VIES REST API
(``PAYMENTS_VIES_ENABLED=true``). Callers make the check OUTSIDE any database transaction
and store the returned :class:`VatIdVerification` with the tax id.
"""

from __future__ import annotations

from typing import Protocol

from payments.kernel.clock import Clock
from payments.tax.domain.vat_ids import TaxIdType, normalize_vat_id
from payments.tax.domain.verification import VatIdVerification, VerificationStatus


class VatIdChecker(Protocol):
    async def check(self, type: TaxIdType, value: str) -> VatIdVerification:
        """Check a normalised ``value`` of ``type``."""
        ...


class OfflineVatIdChecker:
    """Format and checksum only: no network, always answers ``unavailable``."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def check(self, type: TaxIdType, value: str) -> VatIdVerification:
        normalize_vat_id(type, value)  # raises InvalidVatId for a malformed number
        return VatIdVerification(
            status=VerificationStatus.UNAVAILABLE,
            checked_at=self._clock.now(),
            source="offline",
            detail="format and checksum only",
        )
