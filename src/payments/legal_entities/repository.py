from __future__ import annotations

from payments.legal_entities.domain import LegalEntity
from payments.legal_entities.tables import legal_entities
from payments.platform.db.records import RecordRepository


class LegalEntityRepository(RecordRepository[LegalEntity]):
    table = legal_entities
    record = LegalEntity

    async def all(self) -> list[LegalEntity]:
        return await self.find(order_by=legal_entities.c.id)
