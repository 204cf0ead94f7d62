"""OpenTelemetry tracing: one trace per request, with its SQL statements and gateway calls
as children, and nothing personal in any span."""

from __future__ import annotations

import httpx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from payments.app.bootstrap import build_container
from payments.app.http import create_app
from payments.kernel.clock import FrozenClock
from payments.platform.tracing import build_tracer_provider
from support.app import Api, make_settings


async def test_a_payment_is_one_trace_of_request_sql_and_gateway_spans(
    database_url: str, clock: FrozenClock
) -> None:
    exporter = InMemorySpanExporter()
    provider = build_tracer_provider("off", exporter=exporter)
    container = build_container(make_settings(database_url), clock=clock, tracer_provider=provider)
    await container.prepare()
    app = create_app(container.settings, container=container, embedded=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4242))
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
        ):
            api = Api(client=client, container=container)
            admin = await api.key()
            location = await api.location(admin)
            exporter.clear()
            created = await client.post(
                "/v1/payment_intents",
                json={
                    "amount": 4990,
                    "currency": "eur",
                    "location": location["id"],
                    "payment_method": "pm_card_visa",
                    "confirm": True,
                    "receipt_email": "anna.schmidt@example.com",
                },
                headers=admin,
            )
            assert created.status_code == 200, created.text
            assert created.json()["status"] == "succeeded"
    finally:
        await container.close()

    spans = exporter.get_finished_spans()
    server = [s for s in spans if s.kind == SpanKind.SERVER]
    assert [s.name for s in server] == ["POST /v1/payment_intents"]
    trace_id = server[0].context.trace_id
    sql = [s for s in spans if s.attributes and s.attributes.get("db.system")]
    gateway = [s for s in spans if s.name.startswith("gateway.")]
    assert sql and gateway
    assert {s.context.trace_id for s in sql + gateway} == {trace_id}
    assert any(s.name == "INSERT" for s in sql)
    assert gateway[0].attributes is not None
    assert gateway[0].attributes["payments.gateway.operation"] == gateway[0].name[8:]
    # bound parameters are never inlined, and gateway arguments are not recorded
    everything = repr([(s.name, dict(s.attributes or {})) for s in spans])
    assert "anna.schmidt@example.com" not in everything
    assert "4990" not in everything


async def test_span_names_fold_ids_into_one_name_per_route(database_url: str) -> None:
    exporter = InMemorySpanExporter()
    provider = build_tracer_provider("off", exporter=exporter)
    container = build_container(make_settings(database_url), tracer_provider=provider)
    app = create_app(container.settings, container=container, embedded=False)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            await client.get("/v1/customers/cus_01M8S7BJSW1QPY258J5QFBYR1H")
    finally:
        await container.close()
    names = [s.name for s in exporter.get_finished_spans() if s.kind == SpanKind.SERVER]
    assert names == ["GET /v1/customers/{id}"]
