"""The Stripe setup tutorial names exactly the Stripe event types the receiver applies,
so an endpoint configured from it sends everything the service needs."""

from __future__ import annotations

import re
from pathlib import Path

from payments.gateways.protocol import EVENT_TYPES
from payments.gateways.stripe.account import WEBHOOK_ONLY_TYPES

TUTORIAL = Path(__file__).resolve().parents[3] / "docs/tutorials/stripe-setup.md"


def test_the_tutorial_lists_every_stripe_event_type_the_receiver_uses() -> None:
    text = TUTORIAL.read_text()
    step = text[text.index("select the Stripe event types the service uses") :]
    step = step[: step.index("(Those are")]
    listed = set(re.findall(r"`([a-z_]+(?:\.[a-z_]+)+)`", step))
    assert listed == set(EVENT_TYPES) | WEBHOOK_ONLY_TYPES
