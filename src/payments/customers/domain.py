"""Customers of the shops: the people and businesses who pay, with their tax ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from payments.tax.domain.model import TaxExempt
from payments.tax.domain.vat_ids import TaxIdType
from payments.tax.domain.verification import VatIdVerification


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
    tax_exempt: TaxExempt = TaxExempt.NONE
    external_id: str | None = None  # the Customer Base's id of this customer
    test_clock: str | None = None  # billing's test clock: its subscriptions follow it

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


#: The billing profile fields a customer directory keeps (name, e-mail, phone, address,
#: preferred locales); the rest (shop, metadata, tax ids, tax status) is ours.
PROFILE_FIELDS = ("name", "email", "phone", "address", "preferred_locales")


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """A customer's billing profile as the Customer Base (or our own table) holds it."""

    external_id: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: dict[str, Any] | None = None
    preferred_locales: list[str] = field(default_factory=list)

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PROFILE_FIELDS}


class CustomerDirectory(Protocol):
    """Where billing profiles live: our own customers (default), or the Customer Base."""

    source: str

    async def profile(self, external_id: str) -> CustomerProfile | None:
        """The profile with this Customer Base id; None when there is none."""
        ...


@dataclass(frozen=True, slots=True)
class CustomerTaxId:
    """A customer's tax id (Stripe's ``tax_id``): normalised value and the proof of its check.

    Deleting one only hides it (``deleted_at``): the check's result and date stay on record.
    """

    id: str
    customer_id: str
    type: TaxIdType
    value: str
    country: str
    created: datetime
    verification: VatIdVerification
    livemode: bool = False
    deleted_at: datetime | None = None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateTaxId:
    """Stripe's ``POST /v1/customers/{id}/tax_ids`` (and each of ``tax_id_data``): the
    number as given, normalised and checked by the use case (400 naming ``value``)."""

    type: str  # eu_vat | ch_vat | gb_vat | no_vat
    value: str
