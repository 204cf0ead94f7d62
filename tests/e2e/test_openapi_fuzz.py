"""Every route, fuzzed from the OpenAPI document with schemathesis against the real
service (uvicorn on a socket, rate limit off): no request, however malformed, gets a
5xx; every response has a status the document lists and the shape it documents.

Bounded (a few examples per operation, derandomized) so it runs in seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from payments.apikeys.service import create_api_key
from payments.app.bootstrap import build_container
from payments.kernel.access import Role
from support.app import make_settings
from support.server import running_server

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 3}


def _admin_key(database_url: str) -> str:
    async def make() -> str:
        container = build_container(make_settings(database_url))
        try:
            created = await create_api_key(
                role=Role.admin,
                name="fuzz",
                location_id=None,
                uow_factory=container.uow_factory,
                clock=container.clock,
            )
        finally:
            await container.close()
        return created.secret

    return asyncio.run(make())


def _seed(base_url: str, key: str) -> None:
    """One of each object, so that lists and retrieves answer real objects whose shape
    is checked against the document (random ids alone would only meet 404s)."""
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}) as api:

        def post(path: str, body: dict[str, object]) -> dict[str, object]:
            response = api.post(path, json=body)
            assert response.status_code == 200, response.text
            return response.json()  # type: ignore[no-any-return]

        seller = post(
            "/v1/legal_entities",
            {
                "legal_name": "Fuzz GmbH",
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
        shop = post(
            "/v1/locations",
            {
                "name": "Fuzz shop",
                "address": {"line1": "Torstrasse 1", "city": "Berlin", "country": "DE"},
                "timezone": "Europe/Berlin",
                "legal_entity": seller["id"],
            },
        )
        customer = post(
            "/v1/customers",
            {
                "name": "Ada",
                "location": shop["id"],
                "address": {
                    "line1": "Invalidenstrasse 1",
                    "postal_code": "10115",
                    "city": "Berlin",
                    "country": "DE",
                },
                "tax_id_data": [{"type": "eu_vat", "value": "DE136695976"}],
            },
        )
        paid = post(
            "/v1/payment_intents",
            {
                "amount": 5000,
                "location": shop["id"],
                "customer": customer["id"],
                "payment_method": "pm_card_visa",
                "confirm": True,
            },
        )
        post(
            "/v1/payment_intents",
            {
                "amount": 3000,
                "location": shop["id"],
                "payment_method": "pm_card_authenticationRequired",
                "confirm": True,
                "return_url": "https://shop.example/back",
            },
        )
        post("/v1/refunds", {"payment_intent": paid["id"], "amount": 1000})
        invoice = post(
            "/v1/invoices",
            {
                "customer": customer["id"],
                "location": shop["id"],
                "lines": [{"description": "Labour", "quantity": "1.5", "unit_amount": 8000}],
            },
        )
        post(f"/v1/invoices/{invoice['id']}/finalize", {})
        post(f"/v1/invoices/{invoice['id']}/pay", {"payment_method": "pm_card_visa"})
        post("/v1/credit_notes", {"invoice": invoice["id"], "amount": 1190, "refund_amount": 1190})
        post(
            "/v1/invoices",
            {
                "customer": customer["id"],
                "location": shop["id"],
                "lines": [{"description": "Diagnosis", "unit_amount": 4900}],
            },
        )
        post(
            "/v1/webhook_endpoints",
            {"url": "https://erp.example.com/hooks", "enabled_events": ["*"]},
        )


@pytest.fixture(scope="module")
def served(database_url: str) -> Iterator[tuple[str, str]]:
    with running_server(database_url, workers=1) as base_url:
        key = _admin_key(database_url)
        _seed(base_url, key)
        yield base_url, key


def test_no_route_answers_a_server_error_or_leaves_its_documented_shape(
    served: tuple[str, str],
) -> None:
    base_url, key = served
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    headers = {"Authorization": f"Bearer {key}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60  # every route is fuzzed, not a few
    for operation in operations:
        for mode, examples in EXAMPLES.items():

            @settings(
                max_examples=examples,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)

            try:
                fuzz()
            except Unsatisfiable:  # no parameter to break (GET /healthz): nothing negative
                continue
            except Exception as exc:  # collect every operation's failure, then report
                failures.append(f"{operation.label} ({mode.value}): {exc}"[:3000])
    assert not failures, "\n\n".join(failures)
