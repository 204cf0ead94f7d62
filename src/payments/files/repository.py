from __future__ import annotations

from payments.files.domain import StoredFile
from payments.files.tables import files
from payments.platform.db.records import RecordRepository


class FileRepository(RecordRepository[StoredFile]):
    table = files
    record = StoredFile
