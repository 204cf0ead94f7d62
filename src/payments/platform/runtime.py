"""What a capability may ask of the running service, as protocols.

The composition root (:mod:`payments.app.bootstrap`) builds one ``Container`` holding
every adapter. Capabilities never import it (it sits above them all); they type what
they need with these protocols instead, and the container satisfies them structurally.
A capability that owns a port extends :class:`Runtime` with it (``GatewayRuntime`` in
:mod:`payments.gateways.protocol`), so adding one never touches this module.
"""

from __future__ import annotations

from typing import Protocol

from payments.kernel.clock import Clock
from payments.platform.config import Settings
from payments.platform.db.uow import UnitOfWorkFactory


class Runtime(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def uow_factory(self) -> UnitOfWorkFactory: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def extras(self) -> dict[str, object]:
        """Per-process objects a capability keeps between job runs (e.g. an HTTP client),
        closed with the container when they have ``aclose``."""
        ...
