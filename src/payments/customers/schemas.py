from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from payments.platform.http.schemas import AddressIn, Metadata, StrictModel

EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"
PHONE_PATTERN = r"^\+?[0-9 ()./-]{3,30}$"


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


class CustomerUpdate(StrictModel):
    name: Annotated[str | None, Field(max_length=256)] = None
    email: Annotated[str | None, Field(max_length=512, pattern=EMAIL_PATTERN)] = None
    phone: Annotated[str | None, Field(max_length=32, pattern=PHONE_PATTERN)] = None
    address: AddressIn | None = None
    preferred_locales: (
        Annotated[list[Annotated[str, Field(max_length=20)]], Field(max_length=10)] | None
    ) = None
    metadata: Metadata | None = None


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
