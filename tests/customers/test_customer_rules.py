"""A customer record: soft deletion, defaults, immutability. (The input rules, address,
locales, email and metadata, are exercised through the API in test_customers_api.)"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from payments.customers.domain import Customer

CREATED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_a_customer_is_deleted_exactly_when_it_has_a_deletion_time() -> None:
    customer = Customer(id="cus_1", created=CREATED)
    assert customer.deleted is False
    gone = dataclasses.replace(customer, deleted_at=CREATED)
    assert gone.deleted is True
    assert customer.deleted is False  # the original is unchanged


def test_a_new_customer_has_only_its_id_and_creation_time() -> None:
    customer = Customer(id="cus_1", created=CREATED)
    assert (customer.name, customer.email, customer.phone, customer.address) == (None,) * 4
    assert customer.preferred_locales == [] and customer.metadata == {}
    assert customer.location_id is None and customer.livemode is False


def test_customers_never_share_their_locale_list_or_metadata() -> None:
    first, second = Customer(id="cus_1", created=CREATED), Customer(id="cus_2", created=CREATED)
    first.preferred_locales.append("de-DE")
    first.metadata["crm"] = "42"
    assert second.preferred_locales == [] and second.metadata == {}


def test_a_customer_is_immutable_changes_make_a_new_one() -> None:
    """The update use case diffs the old and new records for the event's
    previous_attributes: an in-place change would leave nothing to diff."""
    customer = Customer(id="cus_1", created=CREATED, email="ada@example.com")
    with pytest.raises(dataclasses.FrozenInstanceError):
        customer.email = "ada@example.org"  # type: ignore[misc]
    changed = dataclasses.replace(customer, email="ada@example.org")
    assert (customer.email, changed.email) == ("ada@example.com", "ada@example.org")
