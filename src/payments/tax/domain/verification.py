"""The result of checking a VAT id with an authority: kept on the tax id as proof."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class VerificationStatus(StrEnum):
    """Stripe's ``tax_id.verification.status``.

    ``verified``: the authority (VIES) confirmed the number is registered; ``unverified``:
    it answered that it is not; ``unavailable``: no authority was asked or it could not
    answer (offline check, non-EU type, VIES down or timed out: format and checksum
    passed, registration unknown); ``pending``: a check is under way.
    """

    VERIFIED = "verified"
    UNVERIFIED = "unverified"
    UNAVAILABLE = "unavailable"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class VatIdVerification:
    status: VerificationStatus
    checked_at: datetime | None
    source: str  # "offline" (format + checksum only) or "vies"
    verified_name: str | None = None
    verified_address: str | None = None
    reference: str | None = None  # VIES consultation number (requestIdentifier), the proof
    detail: str | None = None  # why it is unavailable (e.g. "MS_UNAVAILABLE", "timeout")
