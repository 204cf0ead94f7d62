"""Helpers for dashboard tests: staff users, signing in over HTTP, form tokens."""

from __future__ import annotations

import re

import httpx

from payments.app.bootstrap import Container
from payments.kernel.access import Role
from payments.staff.service import create_staff_user

PASSWORD = "correct horse battery staple"


async def staff_user(
    container: Container, role: str, *, email: str | None = None, location: str | None = None
) -> str:
    """A staff user with PASSWORD; returns the e-mail."""
    email = email or f"{role}-{location or 'all'}@shop.example".lower()
    await create_staff_user(
        email=email,
        role=Role(role),
        location_id=location,
        password=PASSWORD,
        uow_factory=container.uow_factory,
        clock=container.clock,
    )
    return email


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> httpx.Response:
    form = await client.get("/dashboard/login")
    return await client.post(
        "/dashboard/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(form.text)},
    )
