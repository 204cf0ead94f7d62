"""OpenTelemetry tracing: a span per HTTP request, per SQL statement and per gateway call,
exported over OTLP (off by default: ``PAYMENTS_TRACING=otlp``).

The exporter reads OpenTelemetry's own environment (``OTEL_EXPORTER_OTLP_ENDPOINT``,
``OTEL_EXPORTER_OTLP_HEADERS``, ...), so a collector is configured the way every
OpenTelemetry service is. Spans never carry request bodies, SQL parameters or gateway
arguments: only the statement text (parameters are bound, never inlined), the route
template, status codes and the gateway operation's name.

Requests are traced by OpenTelemetry's ASGI middleware; SQL and gateway calls by the two
small adapters below (the SQLAlchemy instrumentor instruments engines process-wide once,
while the service builds an engine per container).
"""

from __future__ import annotations

import functools
import inspect
import re
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

SERVICE_NAME = "mycomputer-payments"
_SPAN_KEY = "payments.otel.span"
_LIFECYCLE = frozenset({"aclose", "close", "clear_faults"})
#: Our ids (``pi_01M8...``, ``cus_...``) in a path become ``{id}``: one span name per route.
_ID = re.compile(r"/[a-z]{2,8}_[0-9A-Za-z]{10,}")


def build_tracer_provider(
    mode: str, sample_ratio: float = 1.0, *, exporter: SpanExporter | None = None
) -> TracerProvider | None:
    """The provider for ``PAYMENTS_TRACING`` (``off``, ``otlp``, ``console``); an explicit
    ``exporter`` (tests: an in-memory one) is exported to synchronously."""
    if mode == "off" and exporter is None:
        return None
    provider = TracerProvider(
        resource=Resource.create({"service.name": SERVICE_NAME}),
        sampler=ParentBased(TraceIdRatioBased(sample_ratio)),
    )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif mode == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def span_details(scope: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The server span's name: the method and the path with ids folded."""
    path = _ID.sub("/{id}", scope.get("path", ""))
    return f"{scope.get('method', 'HTTP')} {path}", {"http.target": path}


def instrument_engine(engine: AsyncEngine, provider: TracerProvider) -> None:
    """A client span per statement, child of whatever span is current (the request's)."""
    tracer = provider.get_tracer("payments.sql")
    sync = engine.sync_engine
    system = "postgresql" if sync.dialect.name == "postgresql" else sync.dialect.name

    @event.listens_for(sync, "before_cursor_execute")
    def _start(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "SQL"
        span = tracer.start_span(
            verb,
            kind=SpanKind.CLIENT,
            attributes={"db.system": system, "db.statement": statement[:2000]},
        )
        conn.info.setdefault(_SPAN_KEY, []).append(span)

    @event.listens_for(sync, "after_cursor_execute")
    def _end(conn: Any, *args: Any) -> None:
        stack = conn.info.get(_SPAN_KEY)
        if stack:
            stack.pop().end()

    @event.listens_for(sync, "handle_error")
    def _error(ctx: Any) -> None:
        stack = ctx.connection.info.get(_SPAN_KEY) if ctx.connection is not None else None
        if stack:
            span = stack.pop()
            span.set_status(Status(StatusCode.ERROR, type(ctx.original_exception).__name__))
            span.end()


def instrument_gateway(gateway: Any, provider: TracerProvider) -> None:
    """A client span around each public coroutine method of ``gateway``, in place (its
    type stays: the simulator's pages look for it). The span names the operation only:
    no arguments, which may hold personal data."""
    tracer = provider.get_tracer("payments.gateway")
    kind = type(gateway).__name__
    for name in dir(type(gateway)):
        method = getattr(gateway, name, None)
        if name.startswith("_") or name in _LIFECYCLE or not inspect.iscoroutinefunction(method):
            continue
        setattr(gateway, name, _traced(tracer, kind, name, method))


def _traced(tracer: trace.Tracer, kind: str, name: str, method: Any) -> Any:
    @functools.wraps(method)
    async def call(*args: Any, **kwargs: Any) -> Any:
        with tracer.start_as_current_span(
            f"gateway.{name}",
            kind=SpanKind.CLIENT,
            attributes={"payments.gateway": kind, "payments.gateway.operation": name},
        ) as span:
            try:
                return await method(*args, **kwargs)
            except Exception as exc:
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                raise

    return call


def current_trace_id() -> str | None:
    """The current trace's id in hex (for logs), or None outside a sampled span."""
    span = trace.get_current_span(otel_context.get_current())
    ctx = span.get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None
