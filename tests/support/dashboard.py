"""Helpers for dashboard tests: staff users, signing in over HTTP, form tokens."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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


async def browser_sign_in(page: Any, live_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form as a person would (labels, the Sign in button)."""
    await page.goto(live_url + "/dashboard/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()


AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


async def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations of the page (WCAG 2 A/AA rules)."""
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]
