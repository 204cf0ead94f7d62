"""The EU VIES REST API as a :class:`~payments.tax.checker.VatIdChecker`.

``POST {base}/check-vat-number`` with ``{"countryCode", "vatNumber"}`` (plus the
requester's own VAT id, when configured, so that VIES returns a consultation number,
``requestIdentifier``, the proof a tax auditor accepts). ``valid: true`` is ``verified``
(with the registered name and address where the member state discloses them: ``---``
means it does not), ``valid: false`` is ``unverified``; anything else (a timeout, a
connection error, a 4xx/5xx, ``MS_UNAVAILABLE``, unparseable JSON) is ``unavailable`` with
the reason in ``detail``: the number's checksum is still checked offline first. Only EU
types (``eu_vat``, including ``XI``) are asked; other types are ``unavailable``.
"""

from __future__ import annotations

from typing import Any

import httpx

from payments.kernel.clock import Clock
from payments.tax.domain.vat_ids import TaxIdType, normalize_vat_id
from payments.tax.domain.verification import VatIdVerification, VerificationStatus

DEFAULT_URL = "https://ec.europa.eu/taxation_customs/vies/rest-api"
_UNDISCLOSED = {"", "---", "n/a"}


def _disclosed(value: object) -> str | None:
    if not isinstance(value, str) or value.strip().lower() in _UNDISCLOSED:
        return None
    return " ".join(value.split())


class ViesVatIdChecker:
    def __init__(
        self,
        *,
        clock: Clock,
        base_url: str = DEFAULT_URL,
        timeout_seconds: float = 10.0,
        requester_vat_id: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._clock = clock
        self._url = base_url.rstrip("/") + "/check-vat-number"
        self._requester = normalize_vat_id("eu_vat", requester_vat_id) if requester_vat_id else None
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 5.0)),
            transport=transport,
            headers={"Accept": "application/json"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def _unavailable(self, detail: str) -> VatIdVerification:
        return VatIdVerification(
            status=VerificationStatus.UNAVAILABLE,
            checked_at=self._clock.now(),
            source="vies",
            detail=detail,
        )

    def _body(self, value: str) -> dict[str, str]:
        body = {"countryCode": value[:2], "vatNumber": value[2:]}
        if self._requester:
            body["requesterMemberStateCode"] = self._requester[:2]
            body["requesterNumber"] = self._requester[2:]
        return body

    async def check(self, type: TaxIdType, value: str) -> VatIdVerification:
        normalised = normalize_vat_id(type, value)
        if TaxIdType(type) is not TaxIdType.EU_VAT:
            return VatIdVerification(
                status=VerificationStatus.UNAVAILABLE,
                checked_at=self._clock.now(),
                source="offline",
                detail=f"VIES does not cover {type}; format and checksum only",
            )
        try:
            response = await self._client.post(self._url, json=self._body(normalised))
        except httpx.TimeoutException:
            return self._unavailable("timeout")
        except httpx.HTTPError as exc:
            return self._unavailable(f"network error: {exc.__class__.__name__}")
        return self._read(response)

    def _read(self, response: httpx.Response) -> VatIdVerification:
        try:
            data: Any = response.json()
        except ValueError:
            return self._unavailable(f"HTTP {response.status_code}, not JSON")
        if not isinstance(data, dict):
            return self._unavailable(f"HTTP {response.status_code}, unexpected body")
        if response.status_code != 200 or not isinstance(data.get("valid"), bool):
            errors = data.get("errorWrappers") or []
            code = data.get("userError") or (
                errors[0].get("error") if errors and isinstance(errors[0], dict) else None
            )
            return self._unavailable(str(code or f"HTTP {response.status_code}"))
        user_error = data.get("userError")
        if user_error not in (None, "VALID", "INVALID"):
            return self._unavailable(str(user_error))
        return VatIdVerification(
            status=VerificationStatus.VERIFIED if data["valid"] else VerificationStatus.UNVERIFIED,
            checked_at=self._clock.now(),
            source="vies",
            verified_name=_disclosed(data.get("name")) if data["valid"] else None,
            verified_address=_disclosed(data.get("address")) if data["valid"] else None,
            reference=_disclosed(data.get("requestIdentifier")),
        )
