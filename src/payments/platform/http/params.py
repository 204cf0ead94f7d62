"""Stripe's ``created[gte]=…&created[lte]=…`` list filters (unix seconds)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Query

from payments.kernel.pagination import Created


def _created(
    gte: Annotated[int | None, Query(alias="created[gte]", ge=0, le=2**33)] = None,
    lte: Annotated[int | None, Query(alias="created[lte]", ge=0, le=2**33)] = None,
) -> Created:
    def at(ts: int | None) -> datetime | None:
        return datetime.fromtimestamp(ts, UTC) if ts is not None else None

    return Created(gte=at(gte), lte=at(lte))


CreatedRange = Annotated[Created, Depends(_created)]
