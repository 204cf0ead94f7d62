"""Real-browser tests: Playwright driving Debian's Chromium against the app served on a
real loopback socket.

The server runs in the test's own event loop (uvicorn's ``Server.serve`` as a task), on
the test's container: a browser test shares the database, the gateway simulator and the
injected :class:`~payments.kernel.clock.FrozenClock` with the in-process ``api`` client,
so it can set up with the API, act in the browser and advance the clock in between.

Chromium comes from Debian (``apt-get install chromium``); ``python3 dev.py test``
installs it when it can. Without it the browser tests are skipped with that reason,
except on CI, where they must run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from typing import Any

import pytest

from payments.app.bootstrap import Container
from payments.app.http import create_app
from support.databases import ON_CI
from support.server import serving_in_loop

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def chromium_path() -> str | None:
    """The Chromium to drive: ``PAYMENTS_TEST_CHROMIUM``, else Debian's, else on PATH."""
    configured = os.environ.get("PAYMENTS_TEST_CHROMIUM")
    for candidate in (configured, *CANDIDATES):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    path = chromium_path()
    if path is None:
        reason = "Chromium is not installed (apt-get install chromium; dev.py test does it as root)"
        if ON_CI:
            pytest.fail(f"CI=true: the browser tests must run, but {reason}")
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=path, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Any) -> AsyncIterator[Any]:
    """A fresh browser context (no cookies) and page; English, a phone-sized viewport."""
    context = await browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    opened = await context.new_page()
    try:
        yield opened
    finally:
        await context.close()


@pytest.fixture
async def live_url(container: Container) -> AsyncIterator[str]:
    """``http://127.0.0.1:PORT`` of the app on the test's container, served in this loop."""
    app = create_app(container.settings, container=container, embedded=False)
    async with serving_in_loop(app) as base_url:
        yield base_url
