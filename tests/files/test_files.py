"""Uploaded files: what is accepted, where the bytes go, who may read them back."""

from __future__ import annotations

from pathlib import Path

import pytest

from payments.app.bootstrap import Container
from payments.files.domain import MAX_SIZE, FilePurpose, clean_filename, sniff_type
from payments.files.service import create_file, file_content
from payments.files.storage import LocalDirectoryStorage
from payments.kernel.access import Principal, Role
from payments.kernel.context import SYSTEM, RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from support.app import Api

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def _count(folder: Path) -> int:
    return len(list(folder.iterdir()))


def test_types_are_recognised_by_content_and_names_are_cleaned() -> None:
    assert sniff_type(b"%PDF-1.7 ...") == "application/pdf"
    assert sniff_type(PNG) == "image/png"
    assert sniff_type(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff_type(b"<html>") is None
    assert clean_filename("C:\\Users\\ana\\receipt.pdf") == "receipt.pdf"
    assert clean_filename('../../"evil"\n.pdf') == "evil.pdf"
    assert clean_filename("") == "upload"


async def test_storage_keys_cannot_leave_the_directory(tmp_path: Path) -> None:
    storage = LocalDirectoryStorage(tmp_path)
    for key in ("../x", "a/b", ".hidden", ""):
        with pytest.raises(ValueError):
            await storage.put(key, b"x")


async def test_a_file_is_stored_and_read_back_only_by_its_shop(
    api: Api, container: Container, tmp_path: Path
) -> None:
    admin = await api.key()
    berlin = await api.location(admin)
    munich = await api.location(admin, name="München")
    storage = LocalDirectoryStorage(tmp_path)
    common = {
        "storage": storage,
        "uow_factory": container.uow_factory,
        "clock": container.clock,
        "ctx": SYSTEM,
    }
    stored = await create_file(
        purpose=FilePurpose.dispute_evidence,
        filename="photo.png",
        content=PNG,
        location_id=berlin["id"],
        **common,
    )
    assert (stored.type, stored.size, stored.id[:5]) == ("image/png", len(PNG), "file_")
    assert (tmp_path / stored.storage_key).read_bytes() == PNG
    berlin_clerk = RequestContext(
        principal=Principal(api_key_id="key_b", name="b", role=Role.clerk, location_id=berlin["id"])
    )
    munich_clerk = RequestContext(
        principal=Principal(api_key_id="key_m", name="m", role=Role.clerk, location_id=munich["id"])
    )
    found, content = await file_content(
        stored.id, storage=storage, uow_factory=container.uow_factory, ctx=berlin_clerk
    )
    assert (found, content) == (stored, PNG)
    with pytest.raises(NotFound):
        await file_content(
            stored.id, storage=storage, uow_factory=container.uow_factory, ctx=munich_clerk
        )
    for content, code in (
        (b"", "file_invalid"),
        (b"MZ\x90", "file_invalid"),
        (b"%PDF-" + b"0" * MAX_SIZE, "file_too_large"),
    ):
        with pytest.raises(InvalidRequest) as refused:
            await create_file(
                purpose=FilePurpose.dispute_evidence,
                filename="x",
                content=content,
                location_id=None,
                **common,
            )
        assert refused.value.code == code
    assert _count(tmp_path) == 1  # nothing stored for the refused ones
