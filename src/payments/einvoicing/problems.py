"""A failed validation rule, whoever found it (XSD, Schematron, exact arithmetic)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: Schematron flags that do not make a document invalid.
NON_BLOCKING_FLAGS: Final = frozenset({"warning", "information"})


@dataclass(frozen=True, slots=True)
class Problem:
    """One failed rule.

    ``id`` is the rule (``BR-CO-14``, ``BR-S-08``, ``UBL-CR-001``) or ``XSD``;
    ``location`` an XPath (Schematron) or ``line N`` (XSD); ``flag`` the
    Schematron flag (``fatal``, ``error``, ``warning``, ``information``) or
    ``fatal`` for an XSD error.
    """

    id: str
    location: str
    text: str
    flag: str

    @property
    def is_warning(self) -> bool:
        return self.flag in NON_BLOCKING_FLAGS

    @property
    def is_error(self) -> bool:
        return not self.is_warning

    def __str__(self) -> str:
        return f"{self.flag} {self.id} at {self.location}: {self.text}"


def errors(problems: list[Problem]) -> list[Problem]:
    """The problems that make a document invalid (everything but warnings)."""
    return [p for p in problems if p.is_error]
