"""Request bodies and response shapes of legal entities."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from payments.platform.http.schemas import AddressIn, Metadata, StrictModel

LOGO_PATTERN = r"^data:image/(png|jpeg|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$"
EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"
PHONE_PATTERN = r"^\+?[0-9 ()./-]{3,30}$"

LegalName = Annotated[str, Field(min_length=1, max_length=200)]
Iban = Annotated[str, Field(min_length=5, max_length=42)]
Bic = Annotated[str, Field(max_length=14)]
VatId = Annotated[str, Field(max_length=24)]
Text40 = Annotated[str, Field(max_length=40)]
Text80 = Annotated[str, Field(max_length=80)]
Email = Annotated[str, Field(max_length=512, pattern=EMAIL_PATTERN + "|^$")]
Phone = Annotated[str, Field(max_length=32, pattern=PHONE_PATTERN + "|^$")]
Footer = Annotated[str, Field(max_length=2000)]
Logo = Annotated[
    str,
    Field(
        max_length=350_000,
        pattern=LOGO_PATTERN + "|^$",
        description="A data: URI of a PNG, JPEG or SVG image (base64), up to ~256 KiB.",
    ),
]
Prefix = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9/_.-]+$")]
Pattern = Annotated[str, Field(min_length=5, max_length=100)]
Retention = Annotated[int, Field(strict=True, ge=1, le=30)]


class LegalEntityAddress(AddressIn):
    line1: Annotated[str, Field(min_length=1, max_length=200)]
    postal_code: Annotated[str, Field(min_length=1, max_length=20)]
    city: Annotated[str, Field(min_length=1, max_length=100)]
    country: Annotated[str, Field(min_length=2, max_length=2)]


class LegalEntityCreate(StrictModel):
    legal_name: LegalName
    address: LegalEntityAddress
    iban: Iban
    bic: Bic | None = None
    vat_id: VatId | None = Field(None, description="Checked with python-stdnum.")
    tax_number: Text40 | None = Field(None, description="The national tax number.")
    registration_number: Text80 | None = Field(
        None, description="Commercial register entry, e.g. 'HRB 123456, Amtsgericht Berlin'."
    )
    email: Email | None = None
    phone: Phone | None = None
    invoice_footer: Footer | None = None
    logo: Logo | None = None
    invoice_prefix: Prefix | None = Field(
        None, description="The {prefix} of its numbers (default: country code and 1, e.g. DE1)."
    )
    invoice_number_pattern: Pattern | None = None
    credit_note_number_pattern: Pattern | None = None
    retention_years: Retention | None = None
    metadata: Metadata = {}


class LegalEntityUpdate(StrictModel):
    """Fields left out stay as they are; null (or an empty string) clears an optional one
    (``bic``: looked up from the IBAN again); ``metadata`` null clears it."""

    legal_name: LegalName | None = None
    address: LegalEntityAddress | None = None
    iban: Iban | None = None
    bic: Bic | None = None
    vat_id: VatId | None = None
    tax_number: Text40 | None = None
    registration_number: Text80 | None = None
    email: Email | None = None
    phone: Phone | None = None
    invoice_footer: Footer | None = None
    logo: Logo | None = None
    invoice_prefix: Prefix | None = None
    invoice_number_pattern: Pattern | None = None
    credit_note_number_pattern: Pattern | None = None
    retention_years: Retention | None = None
    metadata: Metadata | None = None


class LegalEntityOut(BaseModel):
    """A company that sells, and so issues the invoices of its shops."""

    id: str = Field(examples=["le_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["legal_entity"] = "legal_entity"
    legal_name: str
    address: dict[str, str | None]
    vat_id: str | None
    tax_number: str | None
    registration_number: str | None
    iban: str
    bic: str | None
    email: str | None
    phone: str | None
    invoice_footer: str | None
    logo: str | None
    invoice_prefix: str
    invoice_number_pattern: str
    credit_note_number_pattern: str
    retention_years: int
    metadata: dict[str, str]
    created: int
    livemode: bool


class LegalEntityList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[LegalEntityOut]
