"""Stripe's form encoding: bracket notation decoded, values read as their fields' types."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import Field, ValidationError

from payments.intents.schemas import PaymentIntentCreate, PaymentIntentUpdate
from payments.kernel.errors import InvalidRequest
from payments.platform.http.forms import FORM_BODY, decode_form, normalize_query
from payments.platform.http.schemas import StrictModel


@pytest.fixture
def form_body() -> object:
    token = FORM_BODY.set(True)
    yield
    FORM_BODY.reset(token)


def test_brackets_decode_into_maps_lists_and_nested_objects() -> None:
    body = (
        b"amount=4999&metadata[order]=R-1&metadata[note]=a%20b&expand[]=latest_charge"
        b"&expand[]=customer&items[0][price]=p1&items[0][quantity]=2&items[1][price]=p2"
        b"&address[country]=DE&description="
    )
    assert decode_form(body) == {
        "amount": "4999",
        "metadata": {"order": "R-1", "note": "a b"},
        "expand": ["latest_charge", "customer"],
        "items": {"0": {"price": "p1", "quantity": "2"}, "1": {"price": "p2"}},
        "address": {"country": "DE"},
        "description": "",
    }


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (b"metadata=x&metadata[k]=v", "metadata"),
        (b"a[b]=1&a[b][c]=2", "a[b]"),
        (b"a[][b]=1", "a[][b]"),
        (b"a]=1", "a]"),
    ],
)
def test_conflicting_or_malformed_names_are_refused_naming_them(body: bytes, param: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        decode_form(body)
    assert refused.value.param == param


def test_indexed_query_arrays_become_the_declared_bracket_arrays() -> None:
    query = b"expand%5B0%5D=latest_charge&expand[1]=customer&created[gte]=5&limit=3"
    assert normalize_query(query) == (
        b"expand[]=latest_charge&expand[]=customer&created[gte]=5&limit=3"
    )


@pytest.mark.usefixtures("form_body")
def test_form_strings_are_read_as_the_fields_types() -> None:
    body = decode_form(
        b"amount=4999&confirm=true&payment_method_types[0]=card&payment_method_types[1]="
        b"sepa_debit&metadata[n]=123&description="
    )
    pi = PaymentIntentCreate.model_validate(body)
    assert pi.amount == 4999 and pi.confirm is True
    assert pi.payment_method_types == ["card", "sepa_debit"]
    assert pi.metadata == {"n": "123"}  # a string field keeps its digits as text
    assert pi.description is None  # "" unsets


@pytest.mark.usefixtures("form_body")
def test_an_empty_value_unsets_an_optional_field_and_clears_a_map() -> None:
    update = PaymentIntentUpdate.model_validate(decode_form(b"metadata=&description="))
    assert update.model_dump(exclude_unset=True) == {"metadata": None, "description": None}


@pytest.mark.usefixtures("form_body")
def test_a_bad_form_value_is_refused_at_its_bracketed_field() -> None:
    class Item(StrictModel):
        quantity: Annotated[int, Field(strict=True, ge=1)]

    class Order(StrictModel):
        items: list[Item]

    with pytest.raises(ValidationError) as refused:
        Order.model_validate(decode_form(b"items[0][quantity]=2&items[1][quantity]=two"))
    (error,) = refused.value.errors()
    assert error["loc"] == ("items", 1, "quantity")


def test_json_bodies_stay_strict_outside_forms() -> None:
    with pytest.raises(ValidationError):
        PaymentIntentCreate.model_validate({"amount": "4999"})
