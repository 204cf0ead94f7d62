from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from payments.platform.http.schemas import AddressIn, Metadata, StrictModel

PaymentMethodType = Literal["card", "sepa_debit", "customer_balance"]


class LocationAddress(AddressIn):
    country: Annotated[str, Field(min_length=2, max_length=2)]


class LocationCreate(StrictModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    address: LocationAddress
    timezone: Annotated[str, Field(max_length=64)]
    default_currency: Annotated[str | None, Field(min_length=3, max_length=3)] = None
    payment_method_types: list[PaymentMethodType] | None = None
    legal_entity: Annotated[str | None, Field(max_length=64)] = Field(
        None, description="The legal entity (seller) that issues this shop's invoices."
    )
    metadata: Metadata = {}


class LocationUpdate(StrictModel):
    name: Annotated[str | None, Field(min_length=1, max_length=200)] = None
    address: LocationAddress | None = None
    timezone: Annotated[str | None, Field(max_length=64)] = None
    default_currency: Annotated[str | None, Field(min_length=3, max_length=3)] = None
    payment_method_types: list[PaymentMethodType] | None = None
    legal_entity: Annotated[str | None, Field(max_length=64)] = None
    metadata: Metadata | None = None


class LocationOut(BaseModel):
    id: str
    object: str = "location"
    name: str
    address: dict[str, str | None]
    default_currency: str
    timezone: str
    payment_method_types: list[str]
    legal_entity: str | None
    metadata: dict[str, str]
    created: int
    livemode: bool
