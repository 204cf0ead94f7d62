"""The gateway simulator: Stripe test mode, offline, with its own database.

See :mod:`.gateway` for construction and test hooks, :mod:`.testdata` and
:mod:`.testibans` for the test cards / IBANs, :mod:`.fees` for the fee model
and :mod:`.faults` for fault injection.
"""

from .faults import FAULT_KINDS, OPERATIONS, FaultKind
from .gateway import SimulatorGateway
from .settings import SimulatorSettings
from .store import SimulatorStore, create_engine

__all__ = [
    "FAULT_KINDS",
    "OPERATIONS",
    "FaultKind",
    "SimulatorGateway",
    "SimulatorSettings",
    "SimulatorStore",
    "create_engine",
]
