"""``GET /metrics``: Prometheus text, protected by an unrestricted admin/finance key
(or public when configured), with request latency per route template and the
database's payments, refunds, webhook failures, job lag and gateway calls."""

from __future__ import annotations

from datetime import timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families

from payments.app.bootstrap import build_container
from payments.app.http import create_app
from support.app import Api, make_settings
from support.reports import SATURDAY, summary_fixture


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def test_metrics_need_an_unrestricted_finance_or_admin_key(api: Api) -> None:
    admin, berlin, _ = await summary_fixture(api)
    assert (await api.client.get("/metrics")).status_code == 401
    clerk = await api.key("clerk")
    assert (await api.client.get("/metrics", headers=clerk)).status_code == 403
    shop_key = await api.key("finance", location=berlin["id"])
    assert (await api.client.get("/metrics", headers=shop_key)).status_code == 403
    response = await api.client.get("/metrics", headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")


async def test_metrics_count_the_fixtures_payments_and_time_routes_by_template(api: Api) -> None:
    admin, berlin, _ = await summary_fixture(api)
    await api.client.get(f"/v1/locations/{berlin['id']}", headers=admin)
    # Saturday 10:30: the last 24 hours hold Saturday's two payments, the decline and
    # the refund (Monday's payment is not in that window)
    api.container.clock.set(SATURDAY + timedelta(minutes=30))  # type: ignore[attr-defined]
    samples = _samples((await api.client.get("/metrics", headers=admin)).text)
    charges = {labels: v for (name, labels), v in samples.items() if name == "payments_charges"}
    assert charges == {
        (("payment_method_type", "card"), ("status", "succeeded")): 2.0,
        (("payment_method_type", "card"), ("status", "failed")): 1.0,
    }
    assert samples[("payments_refunds", (("status", "succeeded"),))] == 1.0
    assert samples[("payments_webhook_deliveries_failed", ())] == 0.0
    lag = {dict(k)["job"]: v for (n, k), v in samples.items() if n == "payments_job_lag_seconds"}
    assert set(lag) >= {"deliver_webhooks", "process_gateway_events", "run_reports"}
    assert lag["run_reports"] == 0.0
    calls = {
        tuple(sorted(dict(k).items())): v
        for (n, k), v in samples.items()
        if n == "payments_gateway_calls"
    }
    assert calls[(("operation", "charge"), ("status", "done"))] == 3.0
    assert calls[(("operation", "refund"), ("status", "done"))] == 1.0
    route = "/v1/locations/{location_id}"
    counted = [
        v
        for (n, k), v in samples.items()
        if n == "payments_http_request_duration_seconds_count" and dict(k).get("route") == route
    ]
    assert counted and sum(counted) >= 1


async def test_metrics_can_be_public_when_configured(database_url: str) -> None:
    container = build_container(make_settings(database_url, metrics_public=True))
    await container.prepare()
    try:
        app = create_app(container.settings, container=container, embedded=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/metrics")
    finally:
        await container.close()
    assert response.status_code == 200
    assert "payments_job_lag_seconds" in response.text
