"""The service under test: settings for a test database, and an HTTP client with helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from payments.apikeys.service import create_api_key
from payments.app.bootstrap import Container
from payments.kernel.access import Role
from payments.platform.config import Settings


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "environment": "test",
        "rate_limit_per_second": 0,
        "embedded_worker": False,
        "seed_sample_data": False,
        "api_key_cache_seconds": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Api:
    """An HTTP client for the app plus helpers to mint keys."""

    client: httpx.AsyncClient
    container: Container

    async def key(self, role: str = "admin", *, location: str | None = None) -> dict[str, str]:
        created = await create_api_key(
            role=Role(role),
            name=f"test {role}",
            location_id=location,
            uow_factory=self.container.uow_factory,
            clock=self.container.clock,
        )
        return {"Authorization": f"Bearer {created.secret}"}

    async def location(self, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
        body = {
            "name": "Berlin Mitte",
            "address": {"line1": "Torstrasse 1", "city": "Berlin", "country": "DE"},
            "timezone": "Europe/Berlin",
        } | fields
        response = await self.client.post("/v1/locations", json=body, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]
