"""The OpenAPI document and the interactive docs: what a client generator and a
newcomer with the network unplugged get."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from payments.app.http import create_app
from payments.platform.config import Settings
from support.app import Api


def _spec() -> dict[str, Any]:
    return create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
    ]


def test_the_document_has_a_bearer_scheme_and_every_v1_operation_requires_it() -> None:
    spec = _spec()
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key: `Authorization: Bearer sk_test_...`.",
    }
    assert spec["security"] == [{"bearerAuth": []}]
    for path, _method, op in _operations(spec):
        if not path.startswith("/v1/"):
            assert op["security"] == []  # health checks and Stripe's signed webhooks


#: The routes that answer a document instead of JSON, and their media types.
DOCUMENTS = {
    "/v1/invoices/{invoice_id}/pdf": ("application/pdf",),
    "/v1/invoices/{invoice_id}/xml": ("application/xml",),
    "/v1/credit_notes/{note_id}/pdf": ("application/pdf",),
    "/v1/credit_notes/{note_id}/xml": ("application/xml",),
    "/v1/charges/{charge_id}/receipt": ("text/html", "application/pdf"),
    "/v1/files/{file_id}/contents": (
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}

BINARY = {"type": "string", "format": "binary"}
TEXT = {"type": "string"}  # an HTML page (a receipt) is text to a generated client

#: openapi-python-client reads JSON, text/* and application/octet-stream bodies; the
#: documents (PDF, XML) are bytes to a generated client.
GENERATOR_CONFIG = """\
content_type_overrides:
  application/pdf: application/octet-stream
  application/xml: application/octet-stream
  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream
"""


def test_every_operation_documents_its_success_and_error_responses_and_no_422() -> None:
    spec = _spec()
    for path, method, op in _operations(spec):
        responses = op["responses"]
        assert "422" not in responses, (method, path)
        if path in DOCUMENTS:
            assert responses["200"]["content"] == {
                media: {"schema": TEXT if media == "text/html" else BINARY}
                for media in DOCUMENTS[path]
            }, path
        else:
            ok = responses["200"]["content"]["application/json"]["schema"]
            assert ok.get("$ref") or ok.get("anyOf") or ok.get("type") == "object", (method, path)
            assert ok != {}, (method, path)
        if path.startswith("/v1/"):
            expected = {"400", "401", "403", "404", "429"}
            if method in ("post", "delete"):
                expected |= {"409", "413"}
            assert expected <= set(responses), (method, path)
            for status in expected:
                schema = responses[status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorResponse"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    card = spec["paths"]["/v1/payment_intents"]["post"]["responses"]
    assert {"402", "502"} <= set(card)


def test_payment_intents_charges_and_refunds_have_real_schemas() -> None:
    schemas = _spec()["components"]["schemas"]
    for name, fields in {
        "PaymentIntentOut": {"amount", "currency", "status", "latest_charge", "client_secret"},
        "ChargeOut": {"amount_captured", "amount_refunded", "payment_intent", "outcome"},
        "RefundOut": {"amount", "charge", "status", "approval"},
        "DisputeOut": {"evidence_details", "status"},
        "InvoiceOut": {"number", "status", "lines", "amount_remaining", "tax_breakdown"},
        "CreditNoteOut": {"number", "invoice", "refund_amount", "lines"},
        "LegalEntityOut": {"legal_name", "vat_id", "iban"},
        "TaxIdOut": {"type", "value", "verification"},
        "ErrorResponse": {"error"},
    }.items():
        assert fields <= set(schemas[name]["properties"]), name


def test_idempotency_key_and_stripe_version_headers_are_documented() -> None:
    spec = _spec()
    for path, method, op in _operations(spec):
        if not path.startswith("/v1/"):
            continue
        headers = {p["name"] for p in op["parameters"] if p["in"] == "header"}
        assert "Stripe-Version" in headers, (method, path)
        assert ("Idempotency-Key" in headers) == (method in ("post", "delete")), (method, path)


def test_the_main_operations_have_summaries_and_examples_and_ids_for_generators() -> None:
    spec = _spec()
    ids = [op["operationId"] for _path, _method, op in _operations(spec)]
    assert len(ids) == len(set(ids))
    assert all(op.get("summary") for _p, _m, op in _operations(spec))
    create = spec["paths"]["/v1/payment_intents"]["post"]
    assert create["operationId"] == "payment_intents_create"
    examples = create["requestBody"]["content"]["application/json"]["examples"]
    assert examples["pay_now"]["value"]["payment_method"] == "pm_card_visa"
    assert "invoices" in spec["info"]["description"].lower()


def test_openapi_python_client_generates_a_client_without_warnings(tmp_path: Path) -> None:
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(_spec()))
    config = tmp_path / "generator.yaml"
    config.write_text(GENERATOR_CONFIG)
    bin_dir = str(Path(sys.executable).parent)
    result = subprocess.run(
        [
            os.path.join(bin_dir, "openapi-python-client"),
            "generate",
            "--path",
            str(document),
            "--output-path",
            str(tmp_path / "client"),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")},
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Warning" not in output and "Error" not in output, output
    assert (tmp_path / "client" / "api" / "payment_intents" / "payment_intents_create.py").exists()
    assert (tmp_path / "client" / "api" / "invoices" / "invoices_invoice_pdf.py").exists()


async def test_the_docs_pages_reference_only_local_assets_that_are_served(api: Api) -> None:
    for page in ("/docs", "/redoc"):
        response = await api.client.get(page)
        assert response.status_code == 200
        urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", response.text)
        assert urls, page
        for url in urls:
            assert url.startswith("/"), f"{page} loads {url} from elsewhere"
            asset = await api.client.get(url)
            assert asset.status_code == 200, url
            assert asset.content, url
        assert "cdn" not in response.text.lower() and "https://" not in response.text


@pytest.mark.parametrize(
    "asset",
    [
        "/static/docs/swagger-ui/LICENSE",
        "/static/docs/swagger-ui/NOTICE",
        "/static/docs/redoc/LICENSE",
    ],
)
async def test_the_vendored_assets_ship_with_their_licences(api: Api, asset: str) -> None:
    assert (await api.client.get(asset)).status_code == 200
