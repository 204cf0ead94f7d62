"""The reports tests' hand-computed payments fixture (see tests/reports/test_summary_api.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from support.app import Api
from support.refunds import paid, refund, shop

SATURDAY = datetime(2024, 12, 28, 10, 0, tzinfo=UTC)
MONDAY = datetime(2024, 12, 30, 10, 0, tzinfo=UTC)


async def warsaw_shop(api: Api, admin: dict[str, str], *, name: str = "Warszawa") -> dict[str, Any]:
    """A shop in Poland selling in PLN and EUR."""
    return await api.location(
        admin,
        name=name,
        address={"line1": "Marszałkowska 1", "city": "Warszawa", "country": "PL"},
        timezone="Europe/Warsaw",
        default_currency="pln",
        currencies=["pln", "eur"],
    )


async def summary_fixture(api: Api) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    api.container.clock.set(SATURDAY)  # type: ignore[attr-defined]
    admin, berlin = await shop(api)
    warsaw = await warsaw_shop(api, admin, name="Warszawa Centrum")
    eur = await paid(api, admin, berlin["id"], amount=10000, currency="eur")
    assert (await refund(api, admin, payment_intent=eur["id"], amount=2500)).status_code == 200
    await paid(api, admin, warsaw["id"], amount=20000, currency="pln")
    declined = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 5000,
            "currency": "eur",
            "location": berlin["id"],
            "payment_method": "pm_card_chargeDeclinedInsufficientFunds",
            "confirm": True,
        },
        headers=admin,
    )
    assert declined.status_code == 402, declined.text
    api.container.clock.set(MONDAY)  # type: ignore[attr-defined]
    await paid(api, admin, warsaw["id"], amount=10000, currency="pln")
    return admin, berlin, warsaw
