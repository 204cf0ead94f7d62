"""Events: every state change, with a snapshot of the object, Stripe style.

``EVENT_TYPES`` is the ONE registry of every event type the service emits, with
a one-line description; the webhook reference page is generated from it, and an
event of an unregistered type cannot be constructed. Add new types here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

EVENT_TYPES: dict[str, str] = {
    "customer.created": "A customer was created.",
    "customer.updated": "A customer's details changed.",
    "customer.deleted": "A customer was deleted.",
    "location.created": "A shop (location) was created.",
    "location.updated": "A shop's (location's) details changed.",
}


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    type: str
    object_id: str
    data: dict[str, Any]
    created: datetime
    location_id: str | None = None
    request_id: str | None = None
    idempotency_key: str | None = None
    livemode: bool = False

    def __post_init__(self) -> None:
        if self.type not in EVENT_TYPES:
            raise ValueError(f"unregistered event type {self.type!r}")
