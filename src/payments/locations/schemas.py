from __future__ import annotations

from typing import Annotated, Any, Literal

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


ExternalId = Annotated[str | None, Field(min_length=1, max_length=64)]
Reference = Annotated[str | None, Field(min_length=1, max_length=64)]
OverridableField = Literal[
    "name",
    "address",
    "default_currency",
    "currencies",
    "timezone",
    "legal_entity",
    "price_list",
    "tax_region",
    "payment_method_types",
    "active",
]
EXTERNAL_ID_DESCRIPTION = (
    "The Locations Service's id of this shop: `payments locations sync` keeps it up to date."
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
    external_id: ExternalId = Field(None, description=EXTERNAL_ID_DESCRIPTION)
    price_list: Reference = Field(None, description="The regional price list it sells from.")
    tax_region: Reference = Field(None, description="The tax region it belongs to.")
    metadata: Metadata = {}


class LocationUpdate(StrictModel):
    name: Annotated[str | None, Field(min_length=1, max_length=200)] = None
    address: LocationAddress | None = None
    timezone: Annotated[str | None, Field(max_length=64)] = None
    default_currency: Annotated[str | None, Field(min_length=3, max_length=3)] = None
    currencies: Currencies | None = Field(None, description=CURRENCIES_DESCRIPTION)
    payment_method_types: list[PaymentMethodType] | None = None
    legal_entity: Annotated[str | None, Field(max_length=64)] = None
    external_id: ExternalId = Field(None, description=EXTERNAL_ID_DESCRIPTION)
    price_list: Reference = None
    tax_region: Reference = None
    active: bool | None = Field(
        None, description="false: the shop is closed and takes no new payments."
    )
    clear_overrides: list[OverridableField] | None = Field(
        None,
        description=(
            "Fields of a synchronised shop to hand back to the Locations Service: each "
            "takes the service's last value again, and the next sync keeps it up to date."
        ),
    )
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
    active: bool
    external_id: str | None
    price_list: str | None
    tax_region: str | None
    overrides: dict[str, Any] = Field(
        description=(
            "The fields set through this API on a shop synchronised from the Locations "
            "Service, with their local values: a sync keeps them until `clear_overrides`."
        )
    )
    metadata: dict[str, str]
    created: int
    livemode: bool


class LocationList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[LocationOut]
