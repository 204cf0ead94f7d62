"""GDPR: a customer's data export (JSON, ZIP with invoice PDFs) and erasure
(pseudonymisation everywhere, invoices kept until their retention ends), on both databases."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

import orjson
import sqlalchemy as sa

from payments.app.capabilities import run_once
from payments.idempotency.tables import idempotency_keys
from payments.kernel.clock import FrozenClock
from support.app import Api
from support.invoices import finalized, post, setup

NAME = "Wilhelmina Gdpr-Testperson"
EMAIL = "wilhelmina.gdpr@subject.example"
PHONE = "+49 40 5550123"
HOLDER = "W. Gdpr-Kontoinhaberin"


async def _subject(api: Api, admin: dict[str, str], **fields: Any) -> dict[str, Any]:
    created = await api.client.post(
        "/v1/customers",
        json={
            "name": NAME,
            "email": EMAIL,
            "phone": PHONE,
            "address": {"line1": "Datenschutzallee 5", "city": "Hamburg", "country": "DE"},
        }
        | fields,
        headers=admin | {"Idempotency-Key": f"gdpr-{fields.get('external_id', 'x')}"},
    )
    assert created.status_code == 200, created.text
    return created.json()  # type: ignore[no-any-return]


async def _pay(api: Api, admin: dict[str, str], shop: dict[str, Any], cus: dict[str, Any]) -> Any:
    pm = await api.client.post(
        "/v1/payment_methods",
        json={
            "type": "sepa_debit",
            "sepa_debit": {"iban": "AT611904300234573201"},
            "billing_details": {"name": HOLDER, "email": EMAIL},
        },
        headers=admin,
    )
    assert pm.status_code == 200, pm.text
    attached = await api.client.post(
        f"/v1/payment_methods/{pm.json()['id']}/attach", json={"customer": cus["id"]}, headers=admin
    )
    assert attached.status_code == 200, attached.text
    pi = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 2500,
            "location": shop["id"],
            "customer": cus["id"],
            "receipt_email": EMAIL,
            "payment_method": "pm_card_visa",
            "confirm": True,
        },
        headers=admin | {"Idempotency-Key": f"gdpr-pay-{cus['id']}"},
    )
    assert pi.status_code == 200, pi.text
    return pm.json(), pi.json()


def _mentions(document: object) -> list[str]:
    text = orjson.dumps(document).decode()
    return [v for v in (NAME, EMAIL, PHONE, HOLDER, "Datenschutzallee") if v in text]


async def test_an_admin_exports_everything_held_about_a_customer_and_it_is_audited(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    cus = await _subject(api, admin)
    pm, pi = await _pay(api, admin, shop, cus)
    invoice = await finalized(api, admin, shop, cus)

    export = await api.client.get(f"/v1/customers/{cus['id']}/data_export", headers=admin)
    assert export.status_code == 200, export.text
    data = export.json()
    assert data["object"] == "customer_data_export"
    assert (data["customer"]["name"], data["customer"]["email"]) == (NAME, EMAIL)
    assert [p["id"] for p in data["payment_methods"]] == [pm["id"]]
    assert data["payment_methods"][0]["billing_details"]["name"] == HOLDER
    assert [p["id"] for p in data["payment_intents"]] == [pi["id"]]
    assert data["payment_intents"][0]["receipt_email"] == EMAIL
    assert len(data["charges"]) == 1 and data["charges"][0]["payment_intent_id"] == pi["id"]
    assert [i["id"] for i in data["invoices"]] == [invoice["id"]]
    assert {"customer.created", "payment_intent.succeeded", "invoice.finalized"} <= {
        e["type"] for e in data["events"]
    }
    assert "AT611904300234573201" not in export.text  # never a full account or card number
    assert "client_secret" not in data["payment_intents"][0]

    audit = await api.client.get("/v1/audit_log", params={"object": cus["id"]}, headers=admin)
    assert "customer.data_exported" in [r["action"] for r in audit.json()["data"]]

    archive = await api.client.get(
        f"/v1/customers/{cus['id']}/data_export", params={"format": "zip"}, headers=admin
    )
    assert archive.status_code == 200, archive.text
    assert archive.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as z:
        names = z.namelist()
        assert "customer.json" in names
        pdfs = [n for n in names if n.endswith(".pdf")]
        assert pdfs == [f"invoices/{invoice['number']}.pdf"]
        assert z.read(pdfs[0]).startswith(b"%PDF")
        assert orjson.loads(z.read("customer.json"))["customer"]["id"] == cus["id"]


async def test_only_an_unrestricted_admin_may_export_or_erase(api: Api) -> None:
    admin = await api.key("admin")
    cus = await _subject(api, admin)
    for role in ("finance", "clerk", "readonly"):
        key = await api.key(role)
        got = await api.client.get(f"/v1/customers/{cus['id']}/data_export", headers=key)
        assert got.status_code == 403, (role, got.text)
        erased = await api.client.post(f"/v1/customers/{cus['id']}/erase", headers=key)
        assert erased.status_code == 403, (role, erased.text)
    missing = await api.client.get("/v1/customers/cus_nobody/data_export", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "resource_missing"


async def test_erasure_pseudonymises_the_customer_everywhere_and_is_idempotent(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    cus = await _subject(api, admin)
    pm, pi = await _pay(api, admin, shop, cus)

    erased = await api.client.post(f"/v1/customers/{cus['id']}/erase", headers=admin)
    assert erased.status_code == 200, erased.text
    erasure = erased.json()
    assert erasure["object"] == "customer_erasure"
    assert erasure["status"] == "completed"  # no invoice to keep
    again = await api.client.post(f"/v1/customers/{cus['id']}/erase", headers=admin)
    assert again.json()["id"] == erasure["id"]

    export = (await api.client.get(f"/v1/customers/{cus['id']}/data_export", headers=admin)).json()
    assert _mentions(export) == []
    assert export["customer"]["address"] == {"country": "DE"}
    assert export["erasure"]["id"] == erasure["id"]
    # the objects stay (the ledger and the payments need them), their personal data does not
    got_pm = await api.client.get(f"/v1/payment_methods/{pm['id']}", headers=admin)
    assert _mentions(got_pm.json()) == []
    got_pi = await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)
    assert got_pi.json()["amount_received"] == 2500 and got_pi.json()["receipt_email"] is None
    events = await api.client.get("/v1/events", params={"limit": 100}, headers=admin)
    assert _mentions(events.json()) == []
    # stored responses of idempotent requests: a replay shows no personal data either
    async with api.container.engine.connect() as conn:
        bodies = (await conn.execute(sa.select(idempotency_keys.c.response_body))).scalars()
        assert all(_mentions(orjson.loads(b)) == [] for b in bodies if b)
    found = await api.client.get("/v1/customers", params={"email": EMAIL}, headers=admin)
    assert found.json()["data"] == []
    audit = await api.client.get("/v1/audit_log", params={"object": cus["id"]}, headers=admin)
    assert [r["action"] for r in audit.json()["data"]].count("customer.erased") == 1


async def test_an_unpaid_invoice_refuses_the_erasure_naming_the_reason_and_nothing_changes(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    cus = await _subject(api, admin)
    invoice = await finalized(api, admin, shop, cus)
    refused = await api.client.post(f"/v1/customers/{cus['id']}/erase", headers=admin)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert (error["code"], error["param"]) == ("customer_has_unpaid_invoice", "customer")
    assert invoice["id"] in error["message"]
    still = await api.client.get(f"/v1/customers/{cus['id']}", headers=admin)
    assert still.json()["name"] == NAME


async def test_invoices_keep_their_billing_details_until_the_retention_ends(
    api: Api, clock: FrozenClock
) -> None:
    admin, shop = await setup(api)
    cus = await _subject(api, admin)
    invoice = await finalized(api, admin, shop, cus)
    paid = await post(api, f"/v1/invoices/{invoice['id']}/pay", admin, paid_out_of_band=True)
    assert paid.status_code == 200, paid.text

    erasure = (await api.client.post(f"/v1/customers/{cus['id']}/erase", headers=admin)).json()
    issued = clock.now().date()
    assert erasure["status"] == "scheduled"
    assert erasure["retained_until"] == f"{issued.year + 10}-12-31"  # DE: 10 years
    kept = await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)
    assert kept.json()["customer_name"] == NAME  # the law keeps the invoice as issued
    assert (
        await api.client.get(f"/v1/invoices/{invoice['id']}/pdf", headers=admin)
    ).status_code == 200

    assert await run_once(api.container, only={"finish_due_erasures"}) == {"finish_due_erasures": 0}
    clock.advance(timedelta(days=366 * 11))
    assert await run_once(api.container, only={"finish_due_erasures"}) == {"finish_due_erasures": 1}
    gone = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)).json()
    assert gone["customer_name"] == "[erased]" and gone["customer_email"] is None
    assert gone["total"] == invoice["total"]  # the amounts stay
    done = (await api.client.post(f"/v1/customers/{cus['id']}/erase", headers=admin)).json()
    assert done["status"] == "completed" and done["pseudonymised"]["invoices"] == 1


async def test_the_customer_base_erasure_request_erases_the_linked_customer(api: Api) -> None:
    admin = await api.key("admin")
    cus = await _subject(api, admin, external_id="CB-GDPR-1")
    body = {
        "id": "cbn_9",
        "type": "customer.erasure_requested",
        "data": {"object": {"id": "CB-GDPR-1"}},
    }
    done = await api.client.post("/v1/integrations/customer_base/events", json=body, headers=admin)
    assert done.status_code == 200, done.text
    assert (done.json()["customer"], done.json()["changed"]) == (cus["id"], True)
    export = (await api.client.get(f"/v1/customers/{cus['id']}/data_export", headers=admin)).json()
    assert _mentions(export) == [] and export["erasure"]["source"] == "customer_base"
    repeated = await api.client.post(
        "/v1/integrations/customer_base/events", json=body, headers=admin
    )
    assert repeated.json()["changed"] is False
