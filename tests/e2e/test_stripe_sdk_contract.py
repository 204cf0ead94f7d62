"""The official ``stripe`` Python SDK, pointed at our base URL, works against the real
service (uvicorn on a socket): Stripe's form encoding in, Stripe's objects and errors out.

Our own parameters (``location``) ride along as extra parameters; everything else is
what a Stripe integration already sends. See docs/how-to/use-stripe-sdks.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe

from payments.apikeys.service import create_api_key
from payments.app.bootstrap import build_container
from payments.kernel.access import Role
from support.app import make_settings
from support.server import running_server

pytestmark = pytest.mark.slow


def _new_key(database_url: str, role: str = "admin", location: str | None = None) -> str:
    async def make() -> str:
        container = build_container(make_settings(database_url))
        try:
            created = await create_api_key(
                role=Role(role),
                name=f"sdk {role}",
                location_id=location,
                uow_factory=container.uow_factory,
                clock=container.clock,
            )
        finally:
            await container.close()
        return created.secret

    return asyncio.run(make())


class Service:
    def __init__(self, base_url: str, database_url: str) -> None:
        self.base_url = base_url
        self.database_url = database_url
        self.admin_key = _new_key(database_url)
        headers = {"Authorization": f"Bearer {self.admin_key}"}
        shop = httpx.post(
            f"{base_url}/v1/locations",
            headers=headers,
            json={
                "name": "SDK shop",
                "address": {"line1": "Torstrasse 1", "city": "Berlin", "country": "DE"},
                "timezone": "Europe/Berlin",
            },
        )
        assert shop.status_code == 200, shop.text
        self.shop: str = shop.json()["id"]

    def client(self, key: str | None = None, **options: Any) -> stripe.StripeClient:
        return stripe.StripeClient(
            key or self.admin_key,
            base_addresses={"api": self.base_url},
            max_network_retries=options.pop("max_network_retries", 0),
            **options,
        )


@pytest.fixture(scope="module")
def service(database_url: str) -> Iterator[Service]:
    with running_server(database_url, workers=1) as base_url:
        yield Service(base_url, database_url)


def test_customers_are_created_retrieved_updated_and_deleted_with_the_sdk(service: Service) -> None:
    client = service.client()
    customer = client.v1.customers.create(
        params={"name": "Ada Lovelace", "email": "ada@example.com", "metadata": {"vip": "yes"}}
    )
    assert isinstance(customer, stripe.Customer)
    assert customer.id.startswith("cus_") and customer.metadata["vip"] == "yes"
    updated = client.v1.customers.update(
        customer.id, params={"phone": "+49 30 1234567", "metadata": {"vip": ""}}
    )
    assert updated.phone == "+49 30 1234567" and "vip" not in updated.metadata
    assert client.v1.customers.retrieve(customer.id).email == "ada@example.com"
    deleted = client.v1.customers.delete(customer.id)
    assert deleted.deleted is True


def test_a_payment_intent_is_confirmed_expanded_and_refunded_with_the_sdk(
    service: Service,
) -> None:
    client = service.client()
    customer = client.v1.customers.create(params={"name": "Grace Hopper"})
    pi = client.v1.payment_intents.create(
        params={
            "amount": 4999,
            "currency": "eur",
            "customer": customer.id,
            "payment_method": "pm_card_visa",
            "payment_method_types": ["card"],
            "confirm": True,
            "metadata": {"repair_order": "R-1001"},
            "location": service.shop,  # ours: passes as an extra parameter
        }  # type: ignore[typeddict-unknown-key]
    )
    assert isinstance(pi, stripe.PaymentIntent)
    assert pi.status == "succeeded" and pi.amount_received == 4999
    assert pi.client_secret is not None and pi.client_secret.startswith(f"{pi.id}_secret_")
    assert pi.metadata["repair_order"] == "R-1001"

    expanded = client.v1.payment_intents.retrieve(
        pi.id, params={"expand": ["latest_charge", "customer", "payment_method"]}
    )
    assert isinstance(expanded.latest_charge, stripe.Charge)
    assert expanded.latest_charge.amount_captured == 4999
    assert isinstance(expanded.customer, stripe.Customer)
    assert expanded.customer.name == "Grace Hopper"
    assert isinstance(expanded.payment_method, stripe.PaymentMethod)

    listed = client.v1.payment_intents.list(
        params={"customer": customer.id, "expand": ["data.latest_charge"]}
    )
    assert [p.id for p in listed.data] == [pi.id]
    assert isinstance(listed.data[0].latest_charge, stripe.Charge)

    refund = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1000})
    assert isinstance(refund, stripe.Refund) and refund.status == "succeeded"
    charge = client.v1.charges.retrieve(expanded.latest_charge.id)
    assert charge.amount_refunded == 1000
    refunds = client.v1.refunds.list(params={"payment_intent": pi.id, "expand": ["data.charge"]})
    assert [r.id for r in refunds.data] == [refund.id]
    assert isinstance(refunds.data[0].charge, stripe.Charge)


def test_a_manual_capture_is_authorized_then_captured_in_part_with_the_sdk(
    service: Service,
) -> None:
    client = service.client()
    pi = client.v1.payment_intents.create(
        params={
            "amount": 20000,
            "capture_method": "manual",
            "payment_method": "pm_card_mastercard",
            "location": service.shop,
        }  # type: ignore[typeddict-unknown-key]
    )
    assert pi.status == "requires_confirmation"
    pi = client.v1.payment_intents.confirm(pi.id)
    assert pi.status == "requires_capture" and pi.amount_capturable == 20000
    pi = client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 15000})
    assert pi.status == "succeeded" and pi.amount_received == 15000


def test_a_decline_raises_the_sdks_card_error_with_code_and_decline_code(
    service: Service,
) -> None:
    client = service.client()
    with pytest.raises(stripe.CardError) as declined:
        client.v1.payment_intents.create(
            params={
                "amount": 2500,
                "payment_method": "pm_card_visa_chargeDeclinedInsufficientFunds",
                "confirm": True,
                "location": service.shop,
            }  # type: ignore[typeddict-unknown-key]
        )
    error = declined.value
    assert error.http_status == 402 and error.code == "card_declined"
    assert error.error is not None and error.error.decline_code == "insufficient_funds"
    assert error.error.payment_intent is not None
    assert error.error.payment_intent["status"] == "requires_payment_method"
    assert error.request_id is not None


def test_an_invoice_is_drafted_finalized_paid_and_credited_with_the_sdk(
    service: Service,
) -> None:
    headers = {"Authorization": f"Bearer {service.admin_key}"}
    seller = httpx.post(  # ours: the legal entity that issues the shop's invoices
        f"{service.base_url}/v1/legal_entities",
        headers=headers,
        json={
            "legal_name": "SDK GmbH",
            "address": {
                "line1": "Torstrasse 1",
                "postal_code": "10119",
                "city": "Berlin",
                "country": "DE",
            },
            "vat_id": "DE136695976",
            "iban": "DE89370400440532013000",
        },
    )
    assert seller.status_code == 200, seller.text
    linked = httpx.post(
        f"{service.base_url}/v1/locations/{service.shop}",
        headers=headers,
        json={"legal_entity": seller.json()["id"]},
    )
    assert linked.status_code == 200, linked.text
    client = service.client()
    customer = client.v1.customers.create(
        params={
            "name": "Ada Lovelace",
            "address": {
                "line1": "Invalidenstrasse 1",
                "postal_code": "10115",
                "city": "Berlin",
                "country": "DE",
            },
        }
    )
    invoice = client.v1.invoices.create(
        params={
            "customer": customer.id,
            "location": service.shop,  # ours, as are inline lines with decimal quantities
            "lines": [{"description": "Labour", "quantity": "1.5", "unit_amount": 8000}],
        }  # type: ignore[typeddict-unknown-key]
    )
    assert isinstance(invoice, stripe.Invoice)
    assert (invoice.status, invoice.total) == ("draft", 14280)
    invoice = client.v1.invoices.add_lines(
        invoice.id,
        params={"lines": [{"description": "Fan", "unit_amount": 1000, "sku": "FAN-1"}]},  # type: ignore[typeddict-item]
    )
    assert invoice.total == 15470
    finalized = client.v1.invoices.finalize_invoice(invoice.id)
    assert finalized.status == "open" and finalized.number is not None
    paid = client.v1.invoices.pay(invoice.id, params={"paid_out_of_band": True})
    assert (paid.status, paid.amount_paid) == ("paid", 15470)
    shown = client.v1.invoices.retrieve(invoice.id, params={"expand": ["customer"]})
    assert isinstance(shown.customer, stripe.Customer)
    note = client.v1.credit_notes.create(
        params={"invoice": invoice.id, "amount": 1190, "out_of_band_amount": 1190}
    )
    assert isinstance(note, stripe.CreditNote)
    assert (note.total, note.out_of_band_amount) == (1190, 1190)
    voided = client.v1.credit_notes.void_credit_note(note.id)
    assert voided.status == "void"
    listed = client.v1.invoices.list(params={"customer": customer.id})
    assert [i.id for i in listed.data] == [invoice.id]


def test_request_errors_raise_the_sdks_own_classes_with_param(service: Service) -> None:
    client = service.client()
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.customers.create(params={"nmae": "typo"})  # type: ignore[typeddict-unknown-key]
    assert (unknown.value.code, unknown.value.param) == ("parameter_unknown", "nmae")

    with pytest.raises(stripe.InvalidRequestError) as bad_metadata:
        client.v1.customers.create(params={"metadata": {"k" * 41: "v"}})
    assert bad_metadata.value.param is not None
    assert bad_metadata.value.param.startswith("metadata[")

    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.payment_intents.retrieve("pi_does_not_exist")
    assert missing.value.http_status == 404 and missing.value.code == "resource_missing"

    with pytest.raises(stripe.InvalidRequestError) as not_expandable:
        client.v1.payment_intents.list(params={"expand": ["data.review"]})
    assert not_expandable.value.param == "expand[0]"

    with pytest.raises(stripe.AuthenticationError):
        service.client("sk_test_not_a_key_of_ours").v1.customers.list()


def test_an_idempotent_retry_replays_and_a_changed_body_raises_idempotency_error(
    service: Service,
) -> None:
    client = service.client()
    options: Any = {"idempotency_key": "sdk-customer-1"}
    first = client.v1.customers.create(params={"name": "Once"}, options=options)
    again = client.v1.customers.create(params={"name": "Once"}, options=options)
    assert again.id == first.id
    assert again.last_response is not None
    assert again.last_response.headers.get("idempotent-replayed") == "true"
    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.create(params={"name": "Twice"}, options=options)


def test_lists_page_automatically_with_the_sdk(service: Service) -> None:
    client = service.client()
    email = "paging@example.com"
    made = [client.v1.customers.create(params={"email": email}).id for _ in range(5)]
    seen = [
        c.id
        for c in client.v1.customers.list(params={"email": email, "limit": 2}).auto_paging_iter()
    ]
    assert seen == list(reversed(made))


def test_webhook_endpoints_are_managed_with_the_sdk(service: Service) -> None:
    client = service.client()
    endpoint = client.v1.webhook_endpoints.create(
        params={
            "url": "https://erp.example.com/hooks/payments",
            "enabled_events": ["payment_intent.succeeded", "charge.refunded"],
            "description": "ERP",
        }
    )
    assert isinstance(endpoint, stripe.WebhookEndpoint)
    assert endpoint.secret is not None and endpoint.secret.startswith("whsec_")
    updated = client.v1.webhook_endpoints.update(
        endpoint.id, params={"enabled_events": ["*"], "description": ""}
    )
    assert updated.enabled_events == ["*"] and updated.description is None
    assert endpoint.id in [e.id for e in client.v1.webhook_endpoints.list().auto_paging_iter()]
    assert client.v1.webhook_endpoints.delete(endpoint.id).deleted is True


def test_a_key_restricted_to_a_shop_naming_another_shop_gets_404_from_the_sdk(
    service: Service,
) -> None:
    clerk = service.client(_new_key(service.database_url, "clerk", location=service.shop))
    assert clerk.v1.payment_intents.list(params={"location": service.shop}).object == "list"  # type: ignore[typeddict-unknown-key]
    with pytest.raises(stripe.InvalidRequestError) as other:
        clerk.v1.payment_intents.list(params={"location": "loc_another_shop"})  # type: ignore[typeddict-unknown-key]
    assert other.value.http_status == 404 and other.value.param == "location"


def test_stripe_version_is_accepted_and_echoed(service: Service) -> None:
    client = service.client(stripe_version="2024-06-20")
    listed = client.v1.customers.list(params={"limit": 1})
    assert listed.last_response is not None
    assert listed.last_response.headers.get("stripe-version") == "2024-06-20"


def test_the_rate_limit_raises_the_sdks_rate_limit_error(database_url: str) -> None:
    with running_server(
        database_url, workers=1, extra_env={"PAYMENTS_RATE_LIMIT_PER_SECOND": "1"}
    ) as base_url:
        client = stripe.StripeClient(
            _new_key(database_url), base_addresses={"api": base_url}, max_network_retries=0
        )
        with pytest.raises(stripe.RateLimitError):
            for _ in range(5):
                client.v1.customers.list(params={"limit": 1})
