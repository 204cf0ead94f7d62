"""Request-body building blocks: strict (unknown fields refused), Stripe-named.

The same models validate JSON bodies and Stripe's form-encoded ones: for a form body
(decoded by :mod:`payments.platform.http.forms`) each value is first coerced from the
field's type (``"4999"`` for an integer, ``"true"``, ``""`` to unset, ``f[0]=..`` lists).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from payments.kernel.errors import InvalidRequest
from payments.kernel.unset import UNSET
from payments.platform.http.forms import FORM_BODY, coerce_form_value

Metadata = dict[
    Annotated[str, StringConstraints(min_length=1, max_length=40)],
    Annotated[str, StringConstraints(max_length=500)],
]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _form_values(cls, data: Any) -> Any:
        """Form bodies carry strings only: read them as the fields' types (as Stripe does)."""
        if not FORM_BODY.get() or not isinstance(data, dict):
            return data
        fields = cls.model_fields
        return {
            name: coerce_form_value(fields[name].annotation, value) if name in fields else value
            for name, value in data.items()
        }

    def given(self, name: str) -> Any:
        """The field's value if the request sent it (``None`` if sent as null), else
        ``UNSET``: what a partial update command needs."""
        return getattr(self, name) if name in self.model_fields_set else UNSET

    def given_not_null(self, name: str) -> Any:
        """Like :meth:`given`, for a field that may be left out but not cleared."""
        value = self.given(name)
        if value is None:
            raise InvalidRequest(
                f"Invalid {name}: it cannot be null.", code="parameter_invalid", param=name
            )
        return value


class AddressIn(StrictModel):
    line1: Annotated[str | None, Field(max_length=200)] = None
    line2: Annotated[str | None, Field(max_length=200)] = None
    postal_code: Annotated[str | None, Field(max_length=20)] = None
    city: Annotated[str | None, Field(max_length=100)] = None
    state: Annotated[str | None, Field(max_length=100)] = None
    country: Annotated[str | None, Field(min_length=2, max_length=2)] = None


class DeletedObject(BaseModel):
    id: str
    object: str
    deleted: bool
