"""A partial update's "not mentioned": distinct from ``None``, which clears a field.

Stripe's update requests change only the fields they mention, and a field sent as
null is cleared. A command field typed ``str | Unset | None`` says all three::

    @dataclass(frozen=True, kw_only=True)
    class UpdateThing:
        description: str | Unset | None = UNSET

    if not isinstance(cmd.description, Unset):
        thing.description = cmd.description  # a string, or None: cleared
"""

from __future__ import annotations

from enum import Enum
from typing import Final


class Unset(Enum):
    """The type of :data:`UNSET` (an enum of one member, so type checkers narrow it)."""

    UNSET = "unset"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET
