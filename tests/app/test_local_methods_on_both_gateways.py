"""The local methods end to end on both gateways through our HTTP API: an iDEAL and a BLIK
payment on the simulator and on Stripe (the adapter against the fake Stripe, its news
as signed webhooks). The answers, the charge's ``payment_method_details.type`` and the
ledger are the same."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from payments.app.capabilities import verify_ledger
from support.local_methods import RETURN_URL, local_shop, pay_with
from support.refunds import charge_of, ledger_kinds
from support.stripe_events import Harness


async def _customer_answers(
    h: Harness, pi: dict[str, Any], admin: dict[str, str], ok: bool
) -> None:
    """The customer authorizes (or fails) at the bank or in the app; the news arrives."""
    if h.fake is not None:
        h.fake.authorize_local(await h.gateway_ref("charges", pi["latest_charge"]), succeed=ok)
        await h.news()
        return
    helped = await h.api.client.post(
        f"/v1/test_helpers/payment_intents/{pi['id']}/authorize_payment",
        json={"succeed": ok},
        headers=admin,
    )
    assert helped.status_code == 200, helped.text
    await h.news()
    delay = h.api.container.gateway.settings.local_settlement_delay  # type: ignore[attr-defined]
    h.api.container.clock.advance(delay + timedelta(seconds=1))  # type: ignore[attr-defined]
    await h.news()


async def _intent(h: Harness, admin: dict[str, str], pi_id: str) -> Any:
    return (await h.api.client.get(f"/v1/payment_intents/{pi_id}", headers=admin)).json()


@pytest.mark.parametrize("kind", ["ideal", "blik"])
async def test_a_local_payment_is_paid_the_same_way_on_both_gateways(
    e2e: Harness, kind: str
) -> None:
    await e2e.start()
    api = e2e.api
    admin = await api.key("admin")
    shop = await local_shop(api, admin, kind)
    created = await pay_with(api, admin, shop, kind, amount=15000)
    assert created.status_code == 200, created.text
    pi = created.json()
    assert pi["status"] == "requires_action"
    if kind == "blik":
        assert pi["next_action"] == {"type": "blik_authorize", "blik_authorize": {}}
    else:
        redirect = pi["next_action"]["redirect_to_url"]
        assert redirect["return_url"] == RETURN_URL and redirect["url"].startswith("http")
    await e2e.news()
    assert (await _intent(e2e, admin, pi["id"]))["status"] == "requires_action"

    await _customer_answers(e2e, pi, admin, True)
    paid = await _intent(e2e, admin, pi["id"])
    assert (paid["status"], paid["amount_received"]) == ("succeeded", 15000)
    charge = await charge_of(api, admin, paid)
    assert charge["payment_method_details"]["type"] == kind
    assert charge["fee"] > 0
    assert await ledger_kinds(api, admin, charge["id"]) == ["charge.fee", "charge.succeeded"]
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_failed_local_payment_waits_for_another_method_on_both_gateways(
    e2e: Harness,
) -> None:
    await e2e.start()
    api = e2e.api
    admin = await api.key("admin")
    shop = await local_shop(api, admin, "ideal")
    pi = (await pay_with(api, admin, shop, "ideal")).json()
    await _customer_answers(e2e, pi, admin, False)
    failed = await _intent(e2e, admin, pi["id"])
    assert failed["status"] == "requires_payment_method"
    assert failed["last_payment_error"]["code"] == "payment_intent_authentication_failure"
    assert await ledger_kinds(api, admin, failed["latest_charge"]) == []
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []
