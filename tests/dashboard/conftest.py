from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from payments.app.bootstrap import Container
from payments.app.http import create_app


@pytest.fixture
async def browserless(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie-keeping HTTP client for the dashboard (no redirects followed)."""
    app = create_app(container.settings, container=container, embedded=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4243))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield client
