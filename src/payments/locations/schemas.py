from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from payments.platform.http.schemas import AddressIn, Metadata, StrictModel

PaymentMethodType = Literal[
    "card",
    "sepa_debit",
    "ideal",
    "bancontact",
    "eps",
    "p24",
    "blik",
    "twint",
    "swish",
    "klarna",
    "customer_balance",
]


class LocationAddress(AddressIn):
    country: Annotated[str, Field(min_length=2, max_length=2)]


Currencies = Annotated[
    list[Annotated[str, Field(min_length=3, max_length=3)]],
    Field(min_length=1, max_length=20),
]
CURRENCIES_DESCRIPTION = (
    "The currencies the shop accepts payments in (ISO 4217, lower case); it must include "
    "`default_currency`. Default: the default currency and `eur`."
)


class LocationCreate(StrictModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    address: LocationAddress
    timezone: Annotated[str, Field(max_length=64)]
    default_currency: Annotated[str | None, Field(min_length=3, max_length=3)] = None
    currencies: Currencies | None = Field(None, description=CURRENCIES_DESCRIPTION)
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
    currencies: Currencies | None = Field(None, description=CURRENCIES_DESCRIPTION)
    payment_method_types: list[PaymentMethodType] | None = None
    legal_entity: Annotated[str | None, Field(max_length=64)] = None
    metadata: Metadata | None = None


class LocationOut(BaseModel):
    id: str
    object: Literal["location"] = "location"
    name: str
    address: dict[str, str | None]
    default_currency: str
    currencies: list[str]
    timezone: str
    payment_method_types: list[str]
    legal_entity: str | None
    metadata: dict[str, str]
    created: int
    livemode: bool


class LocationList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[LocationOut]
