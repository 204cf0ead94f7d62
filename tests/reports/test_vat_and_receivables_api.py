"""``GET /v1/reports/vat`` and ``GET /v1/reports/receivables`` against the invoices tests'
samples (a Berlin seller, DE VAT 19 % and 7 %), hand-computed:

==========================  =======  ==========  ========  ======  ========================
document                    buyer    group       taxable   VAT     section
==========================  =======  ==========  ========  ======  ========================
labour 1.5 h + display      Ada, DE  DE:S:19     249.00    47.31
repair manual (reduced)     Ada, DE  DE:S:7       24.90     1.74   (voided in April)
labour 1.5 h                NL B.V.  DE:AE:0     120.00     0      reverse charge, NL VAT id
labour 1.5 h + display      FR, B2C  DE:S:19     249.00    47.31   OSS: FR
display (export)            CH AG    DE:G:0      129.00     0
credit note 100.00 gross    Ada, DE  DE:S:19     -84.03   -15.97   (100 / 1.19 = 84.03)
==========================  =======  ==========  ========  ======  ========================
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from support.app import Api
from support.invoices import LABOUR, PARTS, customer, finalized, post, setup

NL_BUSINESS = {
    "name": "Reparatie Partner B.V.",
    "address": {
        "line1": "Keizersgracht 1",
        "postal_code": "1015 CJ",
        "city": "Amsterdam",
        "country": "NL",
    },
    "tax_id_data": [{"type": "eu_vat", "value": "NL004495445B01"}],
}
FR_CONSUMER = {
    "name": "Marie Curie",
    "address": {"line1": "1 rue Pierre", "postal_code": "75005", "city": "Paris", "country": "FR"},
}
CH_BUSINESS = {
    "name": "Uhren Service AG",
    "address": {"line1": "Limmatquai 1", "postal_code": "8001", "city": "Zurich", "country": "CH"},
    "tax_id_data": [{"type": "ch_vat", "value": "CHE-116.281.710 MWST"}],
}
MANUAL = {
    "description": "Repair manual (book)",
    "unit_amount": 2490,
    "tax_category": "reduced",
    "sku": "BOOK-1",
    "kind": "goods",
}
Q1 = {"from": "2026-01-01", "to": "2026-03-31"}
ON_TERMS = {"collection_method": "send_invoice", "days_until_due": 14}


async def _fixture(api: Api) -> dict[str, Any]:
    api.container.clock.set(datetime(2026, 1, 15, 9, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    admin, shop = await setup(api)
    ada = await customer(api, admin)
    domestic = await finalized(api, admin, shop, ada, **ON_TERMS)
    manual = await finalized(api, admin, shop, ada, [MANUAL], **ON_TERMS)
    nl = await customer(api, admin, **NL_BUSINESS)
    reverse = await finalized(api, admin, shop, nl, [LABOUR], **ON_TERMS)
    fr = await customer(api, admin, **FR_CONSUMER, email="marie@example.com")
    oss = await finalized(api, admin, shop, fr, [LABOUR, PARTS], **ON_TERMS)
    ch = await customer(api, admin, **CH_BUSINESS, email="uhren@example.com")
    await finalized(api, admin, shop, ch, [PARTS], **ON_TERMS)
    note = await post(api, "/v1/credit_notes", admin, invoice=domestic["id"], amount=10000)
    assert note.status_code == 200, note.text
    return {
        "admin": admin,
        "shop": shop,
        "ada": ada,
        "nl": nl,
        "fr": fr,
        "ch": ch,
        "domestic": domestic,
        "manual": manual,
        "reverse": reverse,
        "oss": oss,
        "note": note.json(),
    }


async def _get(api: Api, path: str, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = await api.client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _group(
    country: str, category: str, rate: str, taxable: int, tax: int, inv: int, cn: int
) -> dict[str, Any]:
    return {
        "country": country,
        "category": category,
        "rate": rate,
        "currency": "eur",
        "taxable_amount": taxable,
        "tax_amount": tax,
        "invoices": inv,
        "credit_notes": cn,
    }


async def test_the_vat_report_of_a_quarter_per_country_category_and_rate(api: Api) -> None:
    f = await _fixture(api)
    report = await _get(api, "/v1/reports/vat", f["admin"], **Q1)
    assert report["object"] == "vat_report"
    assert report["groups"] == [
        _group("DE", "AE", "0", 12000, 0, 1, 0),
        _group("DE", "G", "0", 12900, 0, 1, 0),
        _group("DE", "S", "19", 24900 + 24900 - 8403, 4731 + 4731 - 1597, 2, 1),
        _group("DE", "S", "7", 2490, 174, 1, 0),
    ]
    assert report["reverse_charge"] == [
        {
            "customer_vat_id": "NL004495445B01",
            "country": "NL",
            "category": "AE",
            "currency": "eur",
            "taxable_amount": 12000,
        },
    ]
    assert report["oss"] == [
        {
            "member_state": "FR",
            "rate": "19",
            "seller_country": "DE",
            "currency": "eur",
            "taxable_amount": 24900,
            "tax_amount": 4731,
        },
    ]
    # the figures are the ledger's: VAT payable per group is the same sum
    ledger = await api.client.get("/v1/ledger/accounts/vat_payable/dimensions", headers=f["admin"])
    by_group = {r["dimension"]: r["normal_side_balance"] for r in ledger.json()["data"]}
    assert by_group["DE:S:19"] == 4731 + 4731 - 1597


async def test_a_voided_invoice_counts_negated_in_the_period_it_is_voided(api: Api) -> None:
    f = await _fixture(api)
    api.container.clock.set(datetime(2026, 4, 2, 9, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    voided = await post(api, f"/v1/invoices/{f['manual']['id']}/void", f["admin"])
    assert voided.status_code == 200, voided.text
    q2 = await _get(
        api, "/v1/reports/vat", f["admin"], **{"from": "2026-04-01", "to": "2026-06-30"}
    )
    assert q2["groups"] == [_group("DE", "S", "7", -2490, -174, 1, 0)]
    other = await _get(api, "/v1/reports/vat", f["admin"], **Q1, legal_entity="le_not_this_one")
    assert other["groups"] == []


async def test_receivables_by_customer_and_age_as_the_books_stood(api: Api) -> None:
    f = await _fixture(api)
    # due 2026-01-29 (14 days); on 2026-03-05 that is 35 days past due
    report = await _get(api, "/v1/reports/receivables", f["admin"], as_of="2026-03-05")
    assert report["object"] == "receivables_report"
    rows = {r["customer"]: r for r in report["customers"]}
    ada = rows[f["ada"]["id"]]
    # domestic 296.31 less the 100.00 credit note; the manual 26.64 (24.90 + 1.74)
    assert (ada["31_60"], ada["current"], ada["total"]) == (19631 + 2664, 0, 22295)
    assert [(i["invoice"], i["days_past_due"], i["bucket"]) for i in ada["invoices"]] == sorted(
        [(f["domestic"]["id"], 35, "31_60"), (f["manual"]["id"], 35, "31_60")],
        key=lambda t: t[0],
    )
    assert rows[f["nl"]["id"]]["total"] == 12000
    assert rows[f["fr"]["id"]]["total"] == 29631
    assert rows[f["ch"]["id"]]["total"] == 12900
    [total] = report["totals"]
    assert (total["currency"], total["31_60"], total["total"]) == ("eur", 76826, 76826)
    assert total["converted"] | {"rate_date": None} == {
        "currency": "eur",
        "current": 0,
        "1_30": 0,
        "31_60": 76826,
        "61_90": 0,
        "over_90": 0,
        "total": 76826,
        "rate": "1",
        "rate_date": None,
    }
    early = await _get(api, "/v1/reports/receivables", f["admin"], as_of="2026-01-20")
    assert {r["customer"]: r["current"] for r in early["customers"]}[f["ada"]["id"]] == 22295
    before = await _get(api, "/v1/reports/receivables", f["admin"], as_of="2026-01-14")
    assert before["customers"] == [] and before["totals"] == []
    late = await _get(
        api, "/v1/reports/receivables", f["admin"], as_of="2026-05-01", reporting_currency="pln"
    )
    [t] = late["totals"]
    assert t["over_90"] == 76826 and t["converted"]["currency"] == "pln"
