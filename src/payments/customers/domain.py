"""Customers of the shops: the people and businesses who pay."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    created: datetime
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: dict[str, Any] | None = None
    preferred_locales: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    location_id: str | None = None
    livemode: bool = False
    deleted_at: datetime | None = None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None
