"""Request-body building blocks: strict (unknown fields refused), Stripe-named."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from payments.kernel.errors import InvalidRequest
from payments.kernel.unset import UNSET

Metadata = dict[
    Annotated[str, StringConstraints(min_length=1, max_length=40)],
    Annotated[str, StringConstraints(max_length=500)],
]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

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
