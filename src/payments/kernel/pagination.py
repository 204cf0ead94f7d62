"""Cursor pagination, Stripe style: newest first, paged by object id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from payments.kernel.errors import InvalidRequest

T = TypeVar("T")

MAX_LIMIT = 100
DEFAULT_LIMIT = 10


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    starting_after: str | None = None
    ending_before: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidRequest(
                f"limit must be between 1 and {MAX_LIMIT}", code="parameter_invalid", param="limit"
            )
        if self.starting_after and self.ending_before:
            raise InvalidRequest(
                "You may only specify one of starting_after and ending_before",
                code="parameter_invalid",
                param="ending_before",
            )


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    data: list[T]
    has_more: bool


@dataclass(frozen=True, slots=True)
class Created:
    """Stripe's ``created[gte]``/``created[lte]`` list filter: either bound may be open."""

    gte: datetime | None = None
    lte: datetime | None = None
