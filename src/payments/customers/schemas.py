from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from payments.platform.http.schemas import AddressIn, Metadata, StrictModel
from payments.tax.domain.model import TaxExempt
from payments.tax.domain.vat_ids import TaxIdType

EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"
PHONE_PATTERN = r"^\+?[0-9 ()./-]{3,30}$"


class TaxIdCreate(StrictModel):
    type: TaxIdType = Field(description="`eu_vat`, `ch_vat`, `gb_vat` or `no_vat`.")
    value: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="The number, e.g. `DE123456789`; stored normalised."
    )


class CustomerCreate(StrictModel):
    name: Annotated[str | None, Field(max_length=256)] = None
    email: Annotated[str | None, Field(max_length=512, pattern=EMAIL_PATTERN)] = None
    phone: Annotated[str | None, Field(max_length=32, pattern=PHONE_PATTERN)] = None
    address: AddressIn | None = None
    preferred_locales: Annotated[
        list[Annotated[str, Field(max_length=20)]], Field(max_length=10)
    ] = []
    metadata: Metadata = {}
    location: Annotated[str | None, Field(max_length=64)] = Field(
        None, description="The shop this customer belongs to (defaults to the key's shop)."
    )
    tax_exempt: TaxExempt = Field(
        TaxExempt.NONE,
        description=(
            "`none`, `exempt` (no VAT on its invoices) or `reverse` (the customer accounts "
            "for the VAT: reverse charge)."
        ),
    )
    tax_id_data: Annotated[list[TaxIdCreate], Field(max_length=5)] = Field(
        [], description="Tax ids to add with the customer (as `POST .../tax_ids`)."
    )
    external_id: Annotated[
        str | None, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
    ] = Field(
        None,
        description=(
            "The Customer Base's id of this customer. The billing profile (name, email, "
            "phone, address, preferred_locales) is taken from the Customer Base where the "
            "request does not give it; a customer that is already linked to this id is "
            "returned (its profile synchronised) instead of a second one."
        ),
    )
    test_clock: Annotated[str | None, Field(max_length=64)] = Field(
        None,
        description="A test clock (`clock_...`): the customer's subscriptions follow its "
        "time instead of the real one.",
    )


class CustomerUpdate(StrictModel):
    name: Annotated[str | None, Field(max_length=256)] = None
    email: Annotated[str | None, Field(max_length=512, pattern=EMAIL_PATTERN)] = None
    phone: Annotated[str | None, Field(max_length=32, pattern=PHONE_PATTERN)] = None
    address: AddressIn | None = None
    preferred_locales: (
        Annotated[list[Annotated[str, Field(max_length=20)]], Field(max_length=10)] | None
    ) = None
    metadata: Metadata | None = None
    tax_exempt: TaxExempt | None = None


class CustomerOut(BaseModel):
    id: str = Field(examples=["cus_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["customer"] = "customer"
    name: str | None
    email: str | None
    phone: str | None
    address: dict[str, str | None] | None
    preferred_locales: list[str]
    location: str | None
    metadata: dict[str, str]
    tax_exempt: TaxExempt
    external_id: str | None = Field(description="The Customer Base's id, when linked.")
    test_clock: str | None = None
    created: int
    livemode: bool


class DeletedCustomerOut(BaseModel):
    id: str
    object: Literal["customer"] = "customer"
    deleted: Literal[True] = True


class CustomerList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[CustomerOut]


class TaxIdVerificationOut(BaseModel):
    status: str
    verified_name: str | None
    verified_address: str | None
    checked_at: int | None
    source: str
    reference: str | None


class TaxIdOwnerOut(BaseModel):
    type: Literal["customer"] = "customer"
    customer: str


class TaxIdOut(BaseModel):
    id: str
    object: Literal["tax_id"] = "tax_id"
    country: str
    created: int
    customer: str
    livemode: bool
    owner: TaxIdOwnerOut
    type: TaxIdType
    value: str
    verification: TaxIdVerificationOut


class TaxIdList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[TaxIdOut]


class DeletedTaxIdOut(BaseModel):
    id: str
    object: Literal["tax_id"] = "tax_id"
    deleted: Literal[True] = True


class DirectoryEventObject(BaseModel):
    """The Customer Base customer the notification is about (other fields are read but
    only used when no Customer Base URL is configured)."""

    model_config = {"extra": "allow"}
    id: Annotated[str, Field(min_length=1, max_length=64)]


class DirectoryEventData(StrictModel):
    object: DirectoryEventObject


class DirectoryEventIn(StrictModel):
    """A Customer Base notification."""

    id: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description="The notification's own id (echoed back)."
    )
    type: Literal["customer.updated", "customer.deleted", "customer.erasure_requested"]
    data: DirectoryEventData


class DirectoryEventOut(BaseModel):
    object: Literal["customer_base_event"] = "customer_base_event"
    id: str
    type: str
    customer: str | None = Field(description="Our customer linked to it, if any.")
    changed: bool
