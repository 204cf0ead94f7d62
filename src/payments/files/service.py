"""Upload a file (its bytes to the storage first, then its row), read it back.

The storage write comes first and outside any transaction: a crash between the two
leaves an unreferenced blob, never a row without its bytes (a row that cannot be written
has its blob deleted again)."""

from __future__ import annotations

import contextlib
from typing import Protocol

from payments.files.domain import (
    EXTENSIONS,
    MAX_SIZE,
    FilePurpose,
    FileStorage,
    StoredFile,
    clean_filename,
    sniff_type,
)
from payments.files.repository import FileRepository
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.ids import id_for
from payments.platform.db.uow import UnitOfWorkFactory
from payments.platform.runtime import Runtime


class FilesRuntime(Runtime, Protocol):
    """The container, seen by what stores files."""

    @property
    def file_storage(self) -> FileStorage: ...


async def create_file(
    *,
    purpose: FilePurpose,
    filename: str,
    content: bytes,
    location_id: str | None,
    storage: FileStorage,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> StoredFile:
    ctx.require(Permission.write_payments)
    if not content:
        raise InvalidRequest("The file is empty.", code="file_invalid", param="file")
    if len(content) > MAX_SIZE:
        raise InvalidRequest(
            f"The file is larger than {MAX_SIZE // (1024 * 1024)} MB.",
            code="file_too_large",
            param="file",
        )
    media_type = sniff_type(content)
    if media_type is None:
        raise InvalidRequest(
            "Only PDF, PNG and JPEG files are accepted.", code="file_invalid", param="file"
        )
    file_id = id_for("file")
    stored = StoredFile(
        id=file_id,
        purpose=purpose,
        filename=clean_filename(filename),
        type=media_type,
        size=len(content),
        created=clock.now(),
        storage_key=f"{file_id}.{EXTENSIONS[media_type]}",
        location_id=location_id,
        uploaded_by=ctx.principal.api_key_id,
    )
    await storage.put(stored.storage_key, content)
    try:
        async with uow_factory() as uow:
            await uow.repo(FileRepository).add(stored)
            await uow.commit()
    except BaseException:
        with contextlib.suppress(Exception):  # the row's error is the one to report
            await storage.delete(stored.storage_key)
        raise
    return stored


async def visible_file(
    file_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> StoredFile:
    async with uow_factory() as uow:
        found = await uow.repo(FileRepository).get(file_id)
    if found is None or not ctx.principal.sees_location(found.location_id):
        raise NotFound.of("file", file_id)
    return found


async def file_content(
    file_id: str, *, storage: FileStorage, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> tuple[StoredFile, bytes]:
    found = await visible_file(file_id, uow_factory=uow_factory, ctx=ctx)
    return found, await storage.get(found.storage_key)
