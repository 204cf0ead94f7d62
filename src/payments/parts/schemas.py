"""Request and response models of ``/v1/parts``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from payments.platform.http.schemas import Metadata, StrictModel

Sku = Annotated[str, Field(min_length=1, max_length=64, examples=["LCD-MBP13-2020"])]
Currency = Annotated[str, Field(min_length=3, max_length=3, examples=["eur"])]
Description = Annotated[str, Field(min_length=1, max_length=500)]
MinorUnits = Annotated[int, Field(strict=True, ge=0, le=99_999_999_999)]


class PartCreate(StrictModel):
    sku: Sku
    currency: Currency
    description: Description
    unit_amount: MinorUnits = Field(description="Net unit price in minor units.")
    tax_category: str = Field("standard", max_length=30, description="The VAT category.")
    metadata: Metadata = {}


class PartUpdate(StrictModel):
    """Fields left out stay as they are. A new price applies to lines added from now on."""

    description: Description | None = None
    unit_amount: MinorUnits | None = None
    tax_category: str | None = Field(None, max_length=30)
    active: bool | None = None
    metadata: Metadata | None = None


class PartOut(BaseModel):
    """A part of our own catalogue, priced in one currency."""

    id: str = Field(examples=["part_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["part"] = "part"
    sku: str
    description: str
    unit_amount: int
    currency: str
    tax_category: str
    active: bool
    metadata: dict[str, str]
    created: int
    updated: int
    livemode: bool


class PartList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[PartOut]
