"""``GET /metrics`` in Prometheus' text format."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from starlette.responses import Response

from payments.metrics.recorder import REGISTRY
from payments.metrics.service import require_metrics_reader, snapshot

router = APIRouter(tags=["metrics"])


def _render(data: dict[str, Any]) -> bytes:
    registry = CollectorRegistry(auto_describe=True)
    window = "over the last 24 hours"
    g = Gauge(
        "payments_charges",
        f"Charges created {window}, by status and payment method type.",
        ("status", "payment_method_type"),
        registry=registry,
    )
    for status, method, n in data["charges"]:
        g.labels(status, method or "unknown").set(n)
    g = Gauge(
        "payments_refunds", f"Refunds created {window}, by status.", ("status",), registry=registry
    )
    for status, n in data["refunds"]:
        g.labels(status).set(n)
    Gauge(
        "payments_webhook_deliveries_failed",
        f"Webhook deliveries created {window} that failed for good.",
        registry=registry,
    ).set(data["webhook_failed"])
    g = Gauge(
        "payments_webhook_delivery_errors",
        f"Webhook delivery attempts {window} that failed, by error code.",
        ("error_code",),
        registry=registry,
    )
    for code, n in data["webhook_errors"]:
        g.labels(code).set(n)
    Gauge(
        "payments_webhook_delivery_lag_seconds",
        "How long the oldest due webhook delivery has been waiting.",
        registry=registry,
    ).set(data["webhook_lag"])
    g = Gauge(
        "payments_job_lag_seconds",
        "How long the oldest work waiting for each worker job has been due.",
        ("job",),
        registry=registry,
    )
    for job, lag in sorted(data["job_lag"].items()):
        g.labels(job).set(lag)
    g = Gauge(
        "payments_gateway_calls",
        f"Gateway calls (recorded attempts) {window}, by operation and outcome.",
        ("operation", "status"),
        registry=registry,
    )
    for (operation, status), n in sorted(data["gateway_outcomes"].items()):
        g.labels(operation, status).set(n)
    g = Gauge(
        "payments_gateway_call_seconds",
        f"Gateway call duration {window} (attempt recorded to answer settled).",
        ("operation", "stat"),
        registry=registry,
    )
    for operation, values in sorted(data["gateway_durations"].items()):
        ordered = sorted(values)
        g.labels(operation, "avg").set(sum(ordered) / len(ordered))
        g.labels(operation, "p95").set(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))])
        g.labels(operation, "max").set(ordered[-1])
    return generate_latest(registry)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    c: Any = request.app.state.container
    if not c.settings.metrics_public:
        principal = await c.authenticator.authenticate(request.headers.get("authorization"))
        require_metrics_reader(principal)
    data = await snapshot(uow_factory=c.uow_factory, clock=c.clock)
    return Response(generate_latest(REGISTRY) + _render(data), media_type=CONTENT_TYPE_LATEST)
