"""SQLAlchemy Core tables: the one schema, migrated by Alembic, split by concept.

Conventions: ids are prefixed strings (see ``payments.ids``); money columns are
``BigInteger`` minor units beside a 3-letter lower-case ``currency``; every
timestamp is a :class:`~payments.adapters.db.types.UTCDateTime`; ``metadata``
columns are JSON. Import tables from here (``from payments.adapters.db.tables import
charges``); the gateway simulator's ``sim_*`` tables live in its own MetaData.
"""

from payments.adapters.db.tables.audit import (
    audit_chain,
    audit_log,
)
from payments.adapters.db.tables.core import (
    ID,
    NAMING,
    api_keys,
    created_column,
    customers,
    events,
    idempotency_keys,
    locations,
    metadata,
)
from payments.adapters.db.tables.ledger import (
    ledger_balances,
    ledger_entries,
    ledger_transactions,
)
from payments.adapters.db.tables.payments import (
    charges,
    gateway_attempts,
    gateway_cursors,
    gateway_events,
    payment_intents,
    payment_methods,
)
from payments.adapters.db.tables.refunds import (
    disputes,
    refunds,
)
from payments.adapters.db.tables.webhooks import (
    webhook_deliveries,
    webhook_endpoint_secrets,
    webhook_endpoints,
)

__all__ = [
    "ID",
    "NAMING",
    "api_keys",
    "audit_chain",
    "audit_log",
    "charges",
    "created_column",
    "customers",
    "disputes",
    "events",
    "gateway_attempts",
    "gateway_cursors",
    "gateway_events",
    "idempotency_keys",
    "ledger_balances",
    "ledger_entries",
    "ledger_transactions",
    "locations",
    "metadata",
    "payment_intents",
    "payment_methods",
    "refunds",
    "webhook_deliveries",
    "webhook_endpoint_secrets",
    "webhook_endpoints",
]
