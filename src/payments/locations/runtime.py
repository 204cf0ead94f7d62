"""What the locations capability needs of the composition root: the shop directory (the
Locations Service, or our own table) that ``payments locations sync`` reads."""

from __future__ import annotations

from typing import Protocol

from payments.locations.domain import ShopDirectory
from payments.platform.runtime import Runtime


class LocationsRuntime(Runtime, Protocol):
    @property
    def shop_directory(self) -> ShopDirectory: ...
