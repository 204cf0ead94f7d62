"""HTTP hardening: security headers on every response, CORS off unless configured, a body
limit outside /v1 and a time limit until the answer starts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi.responses import StreamingResponse

from payments.app.bootstrap import Container
from payments.app.http import create_app
from support.app import Api


@asynccontextmanager
async def client_for(
    container: Container, *, base_url: str = "http://testserver", **settings: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    app = create_app(
        container.settings.model_copy(update=settings), container=container, embedded=False
    )
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4242))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url=base_url) as client,
    ):
        yield client, app


async def test_api_answers_carry_the_security_headers_and_are_never_cached(api: Api) -> None:
    admin = await api.key()
    for response in (
        await api.client.get("/v1/customers", headers=admin),
        await api.client.get("/v1/customers"),  # a 401 too
        await api.client.get("/healthz"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["content-security-policy"] == (
            "default-src 'none'; frame-ancestors 'none'"
        )
    assert (await api.client.get("/v1/customers", headers=admin)).headers[
        "cache-control"
    ] == "no-store"
    # plain http: no HSTS (it would be ignored, and would break a local set-up)
    assert "strict-transport-security" not in (await api.client.get("/healthz")).headers


async def test_hsts_over_tls_and_pages_keep_their_own_policy(container: Container) -> None:
    async with client_for(container, base_url="https://pay.example.com") as (client, _):
        health = await client.get("/healthz")
        assert health.headers["strict-transport-security"] == (
            "max-age=31536000; includeSubDomains"
        )
        login = await client.get("/dashboard/login")
        assert login.status_code == 200
        assert "script-src 'self'" in login.headers["content-security-policy"]
        docs = await client.get("/docs")
        assert docs.headers["content-type"].startswith("text/html")
        assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]


async def test_cors_is_off_by_default(api: Api) -> None:
    preflight = await api.client.options(
        "/v1/customers",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    admin = await api.key()
    response = await api.client.get(
        "/v1/customers", headers=admin | {"Origin": "https://evil.example"}
    )
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_cors_allows_only_the_configured_origins(api: Api) -> None:
    admin = await api.key()
    origin = "https://shop.mycomputer.example"
    async with client_for(api.container, cors_allow_origins=f"{origin}/") as (client, _):
        preflight = await client.options(
            "/v1/customers",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, idempotency-key",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == origin
        got = await client.get("/v1/customers", headers=admin | {"Origin": origin})
        assert got.headers["access-control-allow-origin"] == origin
        assert "request-id" in got.headers["access-control-expose-headers"].lower()
        other = await client.get("/v1/customers", headers=admin | {"Origin": "https://x.example"})
        assert "access-control-allow-origin" not in other.headers


async def test_large_bodies_outside_the_api_are_refused_before_they_are_read(
    api: Api,
) -> None:
    response = await api.client.post(
        "/pay/sometoken",
        content=b"x" * (1_048_576 + 1),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


async def test_a_request_that_does_not_answer_in_time_is_stopped_with_503(
    container: Container,
) -> None:
    never = asyncio.Event()
    cancelled = asyncio.Event()
    async with client_for(container, request_timeout_seconds=0.05) as (client, app):

        @app.get("/v1/test-slow")
        async def slow() -> dict[str, str]:
            try:
                await never.wait()
            except asyncio.CancelledError:
                cancelled.set()
                raise
            return {}

        @app.get("/v1/test-stream")
        async def stream() -> StreamingResponse:
            async def chunks() -> AsyncIterator[bytes]:
                yield b"first,"
                await asyncio.sleep(0.1)  # longer than the limit, after the answer started
                yield b"second"

            return StreamingResponse(chunks(), media_type="text/csv")

        admin = await Api(client=client, container=container).key()
        response = await client.get("/v1/test-slow", headers=admin)
        assert response.status_code == 503
        assert response.json()["error"] == {
            "type": "api_error",
            "code": "request_timeout",
            "message": "The request took longer than 0.05 seconds and was stopped; retry it "
            "with the same Idempotency-Key.",
            "param": None,
            "request_id": response.headers["request-id"],
        }
        assert cancelled.is_set()
        streamed = await client.get("/v1/test-stream", headers=admin)
        assert streamed.status_code == 200
        assert streamed.content == b"first,second"
