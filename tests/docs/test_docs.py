"""Generated reference pages must match the code they are generated from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from payments.docs.__main__ import PAGES
from payments.kernel.errors import ERROR_CODES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_generated_page_is_up_to_date(page: str) -> None:
    committed = (ROOT / page).read_text()
    assert committed == PAGES[page](), f"{page} is stale: run `python -m payments.docs`"


def test_every_error_code_the_service_answers_with_is_documented() -> None:
    """Codes raised by our own layers (not passed through from a gateway) are registered."""
    package = ROOT / "src/payments"
    # the adapters speak their gateway's vocabulary (Stripe's decline and request codes,
    # documented with the payment methods); the port (gateways/protocol.py) is ours
    adapters = (package / "gateways/simulator", package / "gateways/stripe")
    used: set[str] = set()
    for path in package.rglob("*.py"):
        if any(path.is_relative_to(adapter) for adapter in adapters):
            continue
        text = path.read_text()
        used |= set(re.findall(r'\bcode="([a-z_]+)"', text))
        used |= set(re.findall(r'default_code = "([a-z_]+)"', text))
    assert len(used) > 20, "the scan found almost no codes: is it looking in the right place?"
    generic = {
        "error",
        "conflict",
        "permission_denied",
        "unexpected_state",
        "idempotency_key_reused",
    }  # base-class defaults, always overridden in use
    missing = sorted(used - set(ERROR_CODES) - generic)
    assert missing == [], f"add these to payments.kernel.errors.ERROR_CODES: {missing}"
