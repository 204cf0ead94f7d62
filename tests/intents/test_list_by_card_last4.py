"""Listing PaymentIntents by the last 4 digits of a card one of their charges used (the
dashboard's search; the public list has no such filter)."""

from __future__ import annotations

from payments.intents.domain.commands import ListPaymentIntents
from payments.intents.service.payment_intents import list_payment_intents
from payments.kernel.access import Principal, Role
from payments.kernel.context import SYSTEM, RequestContext
from payments.kernel.pagination import PageRequest
from support.app import Api
from support.refunds import paid, shop


async def test_a_list_by_card_last4_keeps_any_charge_with_that_card_in_the_keys_shop(
    api: Api,
) -> None:
    admin, berlin = await shop(api)
    munich = await api.location(admin, name="München")
    ada = (await api.client.post("/v1/customers", json={"name": "Ada"}, headers=admin)).json()
    visa = await paid(api, admin, berlin["id"], method="pm_card_visa", customer=ada["id"])
    other_visa = await paid(api, admin, munich["id"], method="pm_card_visa")
    await paid(api, admin, berlin["id"], method="pm_card_mastercard", customer=ada["id"])
    declined = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 5000,
            "location": berlin["id"],
            "payment_method": "pm_card_chargeDeclined",
            "confirm": True,
        },
        headers=admin,
    )
    assert declined.status_code == 402, declined.text
    declined_pi = declined.json()["error"]["payment_intent"]["id"]
    c = api.container

    async def found(query: ListPaymentIntents, ctx: RequestContext = SYSTEM) -> set[str]:
        page = await list_payment_intents(
            query, PageRequest(limit=100), uow_factory=c.uow_factory, ctx=ctx
        )
        return {pi.id for pi in page.data}

    assert await found(ListPaymentIntents(card_last4="4242")) == {visa["id"], other_visa["id"]}
    assert await found(ListPaymentIntents(card_last4="4242", customer=ada["id"])) == {visa["id"]}
    assert await found(ListPaymentIntents(card_last4="0002")) == {declined_pi}  # declined too
    assert await found(ListPaymentIntents(card_last4="9999")) == set()
    assert len(await found(ListPaymentIntents(card_last4=""))) == 4  # empty: not filtered
    clerk = RequestContext(
        principal=Principal(api_key_id="key_b", name="b", role=Role.clerk, location_id=berlin["id"])
    )
    assert await found(ListPaymentIntents(card_last4="4242"), clerk) == {visa["id"]}
