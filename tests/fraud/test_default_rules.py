"""The embedded default seeds Radar's default rules: highest risk blocked, elevated reviewed."""

from __future__ import annotations

from payments.app.http import prepare_embedded
from support.app import Api


async def test_the_embedded_default_blocks_highest_and_reviews_elevated_risk(api: Api) -> None:
    container = api.container
    settings = container.settings
    container.settings = settings.model_copy(update={"seed_sample_data": True})
    try:
        await prepare_embedded(container)
        await prepare_embedded(container)  # a restart adds nothing
    finally:
        container.settings = settings
    admin = await api.key("admin")
    rules = (await api.client.get("/v1/fraud/rules", headers=admin)).json()["data"]
    assert [(r["action"], r["predicate"]) for r in rules] == [
        ("block", ":risk_level: = 'highest'"),
        ("review", ":risk_level: = 'elevated'"),
    ]
    shop = (await api.client.get("/v1/locations", headers=admin)).json()["data"][0]
    body = {"amount": 2500, "location": shop["id"], "confirm": True}
    highest = await api.client.post(
        "/v1/payment_intents",
        json=body | {"payment_method": "pm_card_riskLevelHighest"},
        headers=admin,
    )
    assert highest.status_code == 402
    elevated = await api.client.post(
        "/v1/payment_intents",
        json=body | {"payment_method": "pm_card_riskLevelElevated"},
        headers=admin,
    )
    assert elevated.json()["status"] == "requires_capture"
    normal = await api.client.post(
        "/v1/payment_intents", json=body | {"payment_method": "pm_card_visa"}, headers=admin
    )
    assert normal.json()["status"] == "succeeded"
