"""Dispute evidence in the dashboard, in Chromium: a clerk writes what happened, uploads
the signed pickup form (stored through the file storage), and submits it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from payments.files.storage import LocalDirectoryStorage
from support.app import Api
from support.dashboard import browser_sign_in, staff_user
from support.refunds import paid, poll_gateway, shop

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _read(path: Path) -> bytes:
    return path.read_bytes()


def _contents(folder: Path) -> list[bytes]:
    return [p.read_bytes() for p in folder.iterdir()] if folder.exists() else []


async def test_a_clerk_uploads_evidence_and_submits_it(
    api: Api, page: Any, live_url: str, tmp_path: Path
) -> None:
    api.container.file_storage = LocalDirectoryStorage(tmp_path / "files")
    admin, location = await shop(api)
    pi = await paid(api, admin, location["id"], amount=12_000, method="pm_card_createDispute")
    assert await poll_gateway(api.container) >= 1
    (dispute,) = (
        await api.client.get("/v1/disputes", params={"payment_intent": pi["id"]}, headers=admin)
    ).json()["data"]
    form = tmp_path / "pickup form.pdf"
    form.write_bytes(PDF)

    await browser_sign_in(page, live_url, await staff_user(api.container, "clerk"))
    await page.get_by_role("link", name="Disputes", exact=True).click()
    await page.get_by_role("link", name=dispute["id"]).click()
    await page.get_by_label("Uncategorized text").fill("Customer signed the pickup form.")
    await page.get_by_label("File (PDF, PNG or JPEG, at most 5 MB)").set_input_files(str(form))
    await page.get_by_label("The file shows").select_option("customer_signature")
    await page.get_by_role("button", name="Save the evidence").click()
    await page.get_by_text("The evidence was saved (not submitted yet).").wait_for()

    saved = (await api.client.get(f"/v1/disputes/{dispute['id']}", headers=admin)).json()
    file_id = saved["evidence"]["customer_signature"]
    assert file_id.startswith("file_")
    assert saved["evidence"]["uncategorized_text"] == "Customer signed the pickup form."
    assert _contents(tmp_path / "files") == [PDF]
    async with page.expect_download() as download:
        await page.get_by_role("link", name=file_id).click()
    got = await download.value
    assert got.suggested_filename == "pickup form.pdf"
    assert _read(Path(await got.path())) == PDF

    await page.get_by_role("button", name="Submit the evidence").click()
    await page.get_by_role("button", name="Submit", exact=True).click()
    await page.get_by_text("The evidence was submitted.").wait_for()
    submitted = (await api.client.get(f"/v1/disputes/{dispute['id']}", headers=admin)).json()
    assert submitted["status"] == "under_review"


async def test_a_file_that_is_not_a_document_is_refused(
    api: Api, page: Any, live_url: str, tmp_path: Path
) -> None:
    api.container.file_storage = LocalDirectoryStorage(tmp_path / "files")
    admin, location = await shop(api)
    pi = await paid(api, admin, location["id"], amount=12_000, method="pm_card_createDispute")
    assert await poll_gateway(api.container) >= 1
    (dispute,) = (
        await api.client.get("/v1/disputes", params={"payment_intent": pi["id"]}, headers=admin)
    ).json()["data"]
    script = tmp_path / "evil.pdf"
    script.write_bytes(b"<script>alert(1)</script>")
    await browser_sign_in(page, live_url, await staff_user(api.container, "clerk"))
    await page.goto(f"{live_url}/dashboard/disputes/{dispute['id']}")
    await page.get_by_label("File (PDF, PNG or JPEG, at most 5 MB)").set_input_files(str(script))
    await page.get_by_role("button", name="Save the evidence").click()
    await page.get_by_text("Only PDF, PNG and JPEG files are accepted.").wait_for()
    assert _contents(tmp_path / "files") == []
