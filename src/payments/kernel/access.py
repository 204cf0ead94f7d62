"""API keys, roles and what each role may do.

Roles, from most to least powerful:

- ``admin``: everything, including API keys, shops (locations) and the legal entities
  that issue their invoices.
- ``finance``: money operations (refunds of any size, approvals, reports, the ledger,
  bank statements and matching transfers to invoices), no admin.
- ``clerk``: day-to-day shop work: customers and payments; refunds up to policy.
- ``readonly``: GET only.

A key may be restricted to one location: it then sees and creates only that
shop's objects, and another shop's object is reported missing (404), exactly
as if it did not exist. What belongs to no one shop (the company-wide ledger) is
refused to it (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    finance = "finance"
    clerk = "clerk"
    readonly = "readonly"


class Permission(StrEnum):
    read = "read"
    write_customers = "write_customers"
    write_payments = "write_payments"
    write_refunds = "write_refunds"
    approve_refunds = "approve_refunds"
    read_audit = "read_audit"
    read_ledger = "read_ledger"  # the company-wide ledger: unrestricted keys only
    reconcile_bank = "reconcile_bank"  # bank statements and transactions: unrestricted keys
    write_locations = "write_locations"
    write_legal_entities = "write_legal_entities"  # sellers on invoices: admin only
    manage_webhooks = "manage_webhooks"
    manage_api_keys = "manage_api_keys"
    write_catalogue = "write_catalogue"  # the parts catalogue: finance, admin
    manage_fraud = "manage_fraud"  # fraud rules, value lists, reviews: admin and finance
    manage_personal_data = "manage_personal_data"  # GDPR export and erasure: admin only


_ALL = frozenset(Permission)

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.admin: _ALL,
    Role.finance: _ALL
    - {
        Permission.write_locations,
        Permission.write_legal_entities,
        Permission.manage_api_keys,
        Permission.manage_personal_data,
    },
    Role.clerk: frozenset(
        {
            Permission.read,
            Permission.write_customers,
            Permission.write_payments,
            Permission.write_refunds,
        }
    ),
    Role.readonly: frozenset({Permission.read}),
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in GRANTS[role]


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    name: str
    role: Role
    redacted: str
    created: datetime
    location_id: str | None = None
    revoked_at: datetime | None = None
    #: set when the key was rolled: it keeps working until then, beside its successor
    expires_at: datetime | None = None
    rolled_to: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def usable_at(self, now: datetime) -> bool:
        return self.active and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the verified API key."""

    api_key_id: str
    name: str
    role: Role
    location_id: str | None = None

    def can(self, permission: Permission) -> bool:
        return allows(self.role, permission)

    def sees_location(self, location_id: str | None) -> bool:
        return self.location_id is None or self.location_id == location_id
