from __future__ import annotations

from pathlib import Path

from payments.docs.webhook_events import PAGE, render
from payments.events.domain import EVENT_TYPES

ROOT = Path(__file__).resolve().parents[2]


def test_the_webhook_events_reference_is_the_generated_page() -> None:
    committed = (ROOT / PAGE).read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/reference/webhook-events.md is stale: run `python -m payments.docs.webhook_events`"
    )


def test_the_page_lists_every_registered_event_type() -> None:
    page = render()
    assert all(f"| `{t}` | {d} |" in page for t, d in EVENT_TYPES.items())
