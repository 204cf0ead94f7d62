"""Stripe API objects for the fake Stripe, built from Stripe's official fixtures.

The subset of Stripe's ``fixtures3.json`` (MIT, from Stripe's OpenAPI repository) that
the suite uses is vendored in ``tests/fixtures/stripe/fixtures.json`` (with its licence
and source; regenerate it with ``tests/fixtures/stripe/extract.py``). Every object the fake returns starts as a deep copy of
the fixture of its kind, with ids, amounts, statuses and links overridden, so
the SDK parses realistic payloads with every field Stripe sends.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import secrets
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

TESTS_ROOT = Path(__file__).resolve().parents[1]
FIXTURES_PATH = TESTS_ROOT / "fixtures" / "stripe" / "fixtures.json"

Obj = dict[str, Any]
ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "vnd"}
ZERO_DECIMAL |= {"vuv", "xaf", "xof", "xpf"}
THREE_DECIMAL = {"bhd", "jod", "kwd", "omr", "tnd"}
WHOLE_UNITS = {"isk", "ugx"}  # two-decimal representation, multiples of 100
MINIMUMS = {"usd": 50, "eur": 50, "gbp": 30, "chf": 50, "jpy": 50, "huf": 17500, "sek": 300}
MINIMUMS |= {"nok": 300, "dkk": 250, "pln": 200, "czk": 1500, "krw": 50}
MAX_AMOUNT = 99_999_999

_counter = itertools.count(1)


@lru_cache(maxsize=1)
def fixtures() -> dict[str, Any]:
    return json.loads(FIXTURES_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def template(kind: str, **overrides: Any) -> Obj:
    """A deep copy of Stripe's fixture for ``kind`` with ``overrides`` applied."""
    obj: Obj = copy.deepcopy(fixtures()["resources"][kind])
    obj.update(overrides)
    return obj


def new_id(prefix: str) -> str:
    return f"{prefix}_F{next(_counter):07d}{secrets.token_hex(5)}"


def now() -> int:
    return int(time.time())


def stripe_exponent(currency: str) -> int:
    return 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2


def fingerprint(value: str) -> str:
    return hashlib.sha256(f"fake-stripe:{value}".encode()).hexdigest()[:16]


def card_payment_method(pm_id: str, number: str, brand: str, country: str, funding: str) -> Obj:
    card = template("payment_method")["card"]
    card.update(
        brand=brand,
        display_brand=brand,
        country=country,
        exp_month=12,
        exp_year=time.gmtime().tm_year + 3,
        fingerprint=fingerprint(number),
        funding=funding,
        last4=number[-4:],
        wallet=None,
        networks={"available": [brand], "preferred": None},
    )
    return template(
        "payment_method",
        id=pm_id,
        type="card",
        card=card,
        created=now(),
        customer=None,
        metadata={},
        billing_details=_billing(None, None),
    )


def sepa_payment_method(iban: str, name: str | None, email: str | None) -> Obj:
    return template(
        "payment_method",
        id=new_id("pm"),
        type="sepa_debit",
        card=None,
        sepa_debit={
            "bank_code": iban[4:12],
            "branch_code": None,
            "country": iban[:2],
            "fingerprint": fingerprint(iban),
            "generated_from": {"charge": None, "setup_attempt": None},
            "last4": iban[-4:],
        },
        created=now(),
        customer=None,
        metadata={},
        billing_details=_billing(name, email),
    )


def customer_balance_payment_method(metadata: Obj) -> Obj:
    return template(
        "payment_method",
        id=new_id("pm"),
        type="customer_balance",
        card=None,
        customer_balance={},
        created=now(),
        customer=None,
        metadata=metadata,
        billing_details=_billing(None, None),
    )


def local_payment_method(kind: str, inner: Obj, billing: Obj) -> Obj:
    """iDEAL, BLIK, Klarna ...: the type's hash (its bank, where chosen) and billing details."""
    details = _billing(billing.get("name"), billing.get("email"))
    details["phone"] = billing.get("phone")
    details["address"]["country"] = (billing.get("address") or {}).get("country")
    return template(
        "payment_method",
        id=new_id("pm"),
        type=kind,
        card=None,
        created=now(),
        customer=None,
        metadata={},
        billing_details=details,
        **{kind: inner},
    )


def _billing(name: str | None, email: str | None) -> Obj:
    address = dict.fromkeys(("city", "country", "line1", "line2", "postal_code", "state"))
    return {
        "address": address,
        "email": email,
        "name": name,
        "phone": None,
        "tax_id": None,
    }


def payment_intent(params: Obj, amount: int, currency: str, types: list[str]) -> Obj:
    pi_id = new_id("pi")
    return template(
        "payment_intent",
        id=pi_id,
        amount=amount,
        amount_capturable=0,
        amount_received=0,
        amount_details={"tip": {}},
        automatic_payment_methods=None,
        canceled_at=None,
        cancellation_reason=None,
        capture_method=params.get("capture_method", "automatic"),
        client_secret=f"{pi_id}_secret_{secrets.token_hex(12)}",
        confirmation_method="automatic",
        created=now(),
        currency=currency,
        customer=params.get("customer"),
        description=params.get("description"),
        last_payment_error=None,
        latest_charge=None,
        metadata=dict(params.get("metadata") or {}),
        next_action=None,
        payment_method=None,
        payment_method_configuration_details=None,
        payment_method_types=types,
        processing=None,
        review=None,
        shipping=None,
        status="requires_payment_method",
        transfer_data=None,
        managed_payments=None,
    )


def charge(pi: Obj, pm: Obj, status: str) -> Obj:
    details: Obj = {"type": pm["type"]}
    if pm["type"] == "card":
        card = template("charge")["payment_method_details"]["card"]
        source = pm["card"]
        card.update({k: source[k] for k in ("brand", "country", "exp_month", "exp_year")})
        card.update(
            fingerprint=source["fingerprint"],
            funding=source["funding"],
            last4=source["last4"],
            network=source["brand"],
            wallet=source.get("wallet"),
        )
        details["card"] = card
    elif pm["type"] == "card_present":
        details["card_present"] = copy.deepcopy(pm["card_present"])
    elif pm["type"] == "sepa_debit":
        details["sepa_debit"] = {**pm["sepa_debit"], "mandate": None}
    elif pm["type"] in ("ideal", "eps", "p24", "bancontact"):
        bank = pm.get(pm["type"]) or {}
        details[pm["type"]] = {
            "bank": bank.get("bank"),
            "bic": bank.get("bic"),
            "iban_last4": "5264",
            "verified_name": pm["billing_details"]["name"],
        }
    elif pm["type"] == "blik":
        details["blik"] = {"buyer_id": None}
    elif pm["type"] in ("twint", "swish", "klarna"):
        details[pm["type"]] = {}
    else:
        details["customer_balance"] = {}
    ch_id = new_id("ch")
    return template(
        "charge",
        id=ch_id,
        amount=pi["amount"],
        amount_captured=0,
        amount_refunded=0,
        balance_transaction=None,
        billing_details=pm["billing_details"],
        captured=False,
        created=now(),
        currency=pi["currency"],
        customer=pi["customer"],
        description=pi["description"],
        disputed=False,
        failure_code=None,
        failure_message=None,
        metadata=dict(pi["metadata"]),
        outcome={
            "network_status": "approved_by_network",
            "reason": None,
            "risk_level": "normal",
            "seller_message": "Payment complete.",
            "type": "authorized",
        },
        paid=status == "succeeded",
        payment_intent=pi["id"],
        payment_method=pm["id"],
        payment_method_details=details,
        refunded=False,
        refunds={"object": "list", "data": [], "has_more": False, "url": f"/v1/charges/{ch_id}"},
        status=status,
        receipt_url=None,
    )


def balance_transaction(
    source: Obj,
    amount: int,
    fee: int,
    kind: str = "charge",
    *,
    currency: str | None = None,
    exchange_rate: float | None = None,
) -> Obj:
    """``currency``: the settlement currency, when not the source's (``amount`` and ``fee``
    are in it, converted at ``exchange_rate``)."""
    settled = currency or source["currency"]
    return template(
        "balance_transaction",
        id=new_id("txn"),
        amount=amount,
        fee=fee,
        fee_details=[
            {
                "amount": fee,
                "application": None,
                "currency": settled,
                "description": "Stripe processing fees",
                "type": "stripe_fee",
            }
        ],
        net=amount - fee,
        currency=settled,
        exchange_rate=exchange_rate,
        source=source["id"],
        type=kind,
        reporting_category=kind,
        created=now(),
        available_on=now() + 2 * 86_400,
        status="pending",
        description=None,
    )


def refund(pi: Obj, ch: Obj, amount: int, reason: str | None, status: str, meta: Obj) -> Obj:
    return template(
        "refund",
        id=new_id("re"),
        amount=amount,
        charge=ch["id"],
        payment_intent=pi["id"],
        currency=pi["currency"],
        created=now(),
        reason=reason,
        status=status,
        metadata=meta,
        balance_transaction=None,
        payment_method=ch["payment_method"],
        customer=pi["customer"],
    )


def dispute(pi: Obj, ch: Obj, reason: str) -> Obj:
    return template(
        "dispute",
        id=new_id("dp"),
        amount=ch["amount_captured"],
        charge=ch["id"],
        payment_intent=pi["id"],
        currency=ch["currency"],
        created=now(),
        reason=reason,
        status="needs_response",
        balance_transactions=[],
        is_charge_refundable=False,
        metadata={},
    )


def event(kind: str, obj: Obj, idempotency_key: str | None) -> Obj:
    return template(
        "event",
        id=new_id("evt"),
        type=kind,
        created=now(),
        api_version="2026-10-28.endive",
        data={"object": copy.deepcopy(obj)},
        request={"id": new_id("req"), "idempotency_key": idempotency_key},
    )


def error_body(
    kind: str,
    message: str,
    *,
    code: str | None = None,
    param: str | None = None,
    decline_code: str | None = None,
    **extra: Any,
) -> Obj:
    error: Obj = {"type": kind, "message": message}
    if code:
        error["code"] = code
        error["doc_url"] = f"https://docs.stripe.com/error-codes/{code.replace('_', '-')}"
    if param:
        error["param"] = param
    if decline_code:
        error["decline_code"] = decline_code
    error.update(extra)
    return {"error": error}
