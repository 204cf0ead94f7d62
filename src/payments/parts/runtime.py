"""What the parts capability needs of the composition root: the catalogue to price with."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends

from payments.parts.domain import PartCatalogue
from payments.platform.http.deps import get_container
from payments.platform.runtime import Runtime


class PartsRuntime(Runtime, Protocol):
    @property
    def part_catalogue(self) -> PartCatalogue: ...


PartsDep = Annotated[PartsRuntime, Depends(get_container)]
