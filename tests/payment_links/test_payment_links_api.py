"""Payment links through the API: created for an open invoice with an unguessable URL
shown once (only its hash stored), listed, retrieved, deactivated; refused for drafts,
void and paid invoices, bad expiries, read-only keys and another shop's invoices."""

from __future__ import annotations

from datetime import timedelta

import httpx
import sqlalchemy as sa

from payments.app.bootstrap import build_container
from payments.app.http import create_app
from payments.app.tables import metadata
from payments.kernel.clock import FrozenClock, to_unix
from payments.payment_links.domain import hash_token
from payments.payment_links.tables import payment_links
from support.app import Api, make_settings
from support.invoices import customer, draft, post, setup
from support.payment_links import new_link, open_invoice, path_of


async def _stored_links(api: Api) -> list[dict[str, object]]:
    async with api.container.engine.connect() as conn:
        rows = (await conn.execute(sa.select(payment_links))).mappings().all()
    return [dict(r) for r in rows]


async def test_a_clerk_creates_a_link_whose_url_is_shown_once_and_stored_as_a_hash(
    api: Api, clock: FrozenClock
) -> None:
    admin, invoice = await open_invoice(api)
    clerk = await api.key("clerk")
    link = await new_link(api, clerk, invoice)

    assert link["object"] == "payment_link"
    assert link["id"].startswith("plink_")
    assert (link["invoice"], link["customer"], link["location"]) == (
        invoice["id"],
        invoice["customer"],
        invoice["location"],
    )
    assert (link["amount"], link["currency"], link["active"]) == (
        invoice["amount_remaining"],
        "eur",
        True,
    )
    assert link["expires_at"] == to_unix(clock.now() + timedelta(days=30))
    token = path_of(link).removeprefix("/pay/")
    assert len(token) >= 43
    stored = await _stored_links(api)
    assert [row["token_hash"] for row in stored] == [hash_token(token)]
    assert token not in str(stored)

    again = await api.client.get(f"/v1/payment_links/{link['id']}", headers=clerk)
    assert again.status_code == 200
    assert again.json()["url"] is None
    assert again.json() | {"url": link["url"]} == link

    listed = await api.client.get(f"/v1/invoices/{invoice['id']}/payment_links", headers=admin)
    assert [x["id"] for x in listed.json()["data"]] == [link["id"]]
    events = await api.client.get("/v1/events?type=payment_link.created", headers=admin)
    (event,) = events.json()["data"]
    assert event["data"]["object"]["id"] == link["id"]
    assert event["data"]["object"]["url"] is None
    assert token not in str(event)


async def test_two_links_have_different_tokens(api: Api) -> None:
    admin, invoice = await open_invoice(api)
    first, second = await new_link(api, admin, invoice), await new_link(api, admin, invoice)
    assert path_of(first) != path_of(second)


async def test_expires_at_is_given_in_unix_time_and_must_be_ahead_and_within_180_days(
    api: Api, clock: FrozenClock
) -> None:
    admin, invoice = await open_invoice(api)
    when = to_unix(clock.now() + timedelta(days=2))
    assert (await new_link(api, admin, invoice, expires_at=when))["expires_at"] == when

    for bad in (to_unix(clock.now()), to_unix(clock.now() + timedelta(days=181)), "soon"):
        refused = await post(
            api, f"/v1/invoices/{invoice['id']}/payment_links", admin, expires_at=bad
        )
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["param"] == "expires_at"
    assert len(await _stored_links(api)) == 1


async def test_a_draft_a_void_and_a_paid_invoice_get_no_link(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    drafted = await draft(api, admin, shop, cus)
    voided = await draft(api, admin, shop, cus)
    await post(api, f"/v1/invoices/{voided['id']}/finalize", admin)
    assert (await post(api, f"/v1/invoices/{voided['id']}/void", admin)).status_code == 200
    paid = await draft(api, admin, shop, cus)
    await post(api, f"/v1/invoices/{paid['id']}/finalize", admin)
    done = await post(api, f"/v1/invoices/{paid['id']}/pay", admin, paid_out_of_band=True)
    assert done.status_code == 200, done.text

    for invoice in (drafted, voided, paid):
        refused = await post(api, f"/v1/invoices/{invoice['id']}/payment_links", admin)
        assert refused.status_code == 400, refused.text
        error = refused.json()["error"]
        assert (error["code"], error["param"]) == ("invoice_unexpected_state", "invoice")
    assert await _stored_links(api) == []


async def test_deactivating_a_link_is_stripes_update_with_active_false(
    api: Api, clock: FrozenClock
) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)
    off = await post(api, f"/v1/payment_links/{link['id']}", admin, active=False)
    assert off.status_code == 200, off.text
    assert (off.json()["active"], off.json()["deactivated_at"]) == (False, to_unix(clock.now()))
    on = await post(api, f"/v1/payment_links/{link['id']}", admin, active=True)
    assert (on.json()["active"], on.json()["deactivated_at"]) == (True, None)
    events = await api.client.get("/v1/events?type=payment_link.updated", headers=admin)
    assert [e["data"]["object"]["active"] for e in events.json()["data"]] == [True, False]
    audit = await api.client.get("/v1/audit_log", headers=admin)
    actions = [r["action"] for r in audit.json()["data"] if r["target"]["id"] == link["id"]]
    assert actions == [
        "payment_link.reactivated",
        "payment_link.deactivated",
        "payment_link.created",
    ]
    unknown = await post(api, f"/v1/payment_links/{link['id']}", admin, colour="red")
    assert unknown.status_code == 400


async def test_readonly_keys_cannot_create_and_another_shops_key_sees_nothing(api: Api) -> None:
    admin, invoice = await open_invoice(api)
    readonly = await api.key("readonly")
    refused = await post(api, f"/v1/invoices/{invoice['id']}/payment_links", readonly)
    assert refused.status_code == 403
    link = await new_link(api, admin, invoice)

    other_shop = await api.location(admin, name="Other shop")
    other = await api.key("clerk", location=other_shop["id"])
    assert (
        await post(api, f"/v1/invoices/{invoice['id']}/payment_links", other)
    ).status_code == 404
    assert (
        await api.client.get(f"/v1/payment_links/{link['id']}", headers=other)
    ).status_code == 404
    assert (
        await post(api, f"/v1/payment_links/{link['id']}", other, active=False)
    ).status_code == 404
    assert (await _stored_links(api))[0]["active"] is True


async def test_a_form_body_works_like_json(api: Api) -> None:
    admin, invoice = await open_invoice(api)
    response = await api.client.post(
        f"/v1/invoices/{invoice['id']}/payment_links",
        data={"metadata[order]": "R-1001"},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    assert response.json()["metadata"] == {"order": "R-1001"}


async def test_the_url_names_the_public_address_when_one_is_configured(
    database_url: str, clock: FrozenClock
) -> None:
    settings = make_settings(database_url, public_url="https://pay.example.com/")
    c = build_container(settings, clock=clock)
    async with c.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(sa.delete(table))
    await c.prepare()
    app = create_app(settings, container=c, embedded=False)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://internal:8000"
            ) as client,
        ):
            api = Api(client=client, container=c)
            admin, invoice = await open_invoice(api)
            link = await new_link(api, admin, invoice)
            assert link["url"].startswith("https://pay.example.com/pay/")
            assert "//pay/" not in link["url"].removeprefix("https://")
            page = (await client.get(path_of(link))).text
            nonce = page.split('name="nonce" value="', 1)[1].split('"', 1)[0]
            form = {
                "card_number": "4000002760003184",
                "expiry": "12/34",
                "cvc": "123",
                "nonce": nonce,
            }
            challenged = await client.post(path_of(link), data=form)
            answered = await client.post(
                challenged.headers["location"], data={"outcome": "complete"}
            )
            # back to the public address, not the one the request came in by
            assert answered.headers["location"].startswith(
                f"https://pay.example.com{path_of(link)}/return?"
            )
    finally:
        await c.close()
