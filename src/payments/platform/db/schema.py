"""The one MetaData every capability's tables are declared on, and shared column helpers.

Conventions: ids are prefixed strings (see ``payments.kernel.ids``); money columns are
``BigInteger`` minor units beside a 3-letter lower-case ``currency``; every timestamp is a
:class:`~payments.platform.db.types.UTCDateTime`; ``metadata`` columns are JSON. The gateway
simulator's ``sim_*`` tables live in its own MetaData.
"""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


metadata = sa.MetaData(naming_convention=NAMING)


ID = sa.String(40)


def created_column() -> sa.Column[object]:
    return sa.Column("created", UTCDateTime(), nullable=False)
