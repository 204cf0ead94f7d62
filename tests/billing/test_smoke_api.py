from __future__ import annotations

from support.app import Api
from support.billing import billing_setup, ok


async def test_smoke(api: Api) -> None:
    admin, shop, price, cus, clock = await billing_setup(api)
    sub = await ok(
        api,
        "/v1/subscriptions",
        admin,
        customer=cus["id"],
        items=[{"price": price["id"], "quantity": 10}],
        default_payment_method="pm_card_visa",
    )
    assert sub["status"] == "active", sub
