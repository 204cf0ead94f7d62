"""Bank statements (``/v1/bank_statements``) and bank transactions
(``/v1/bank_transactions``): import, the manual matching queue, match and ignore."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from payments.bank_statements.domain.commands import (
    IgnoreTransaction,
    ImportStatement,
    ListBankTransactions,
    MatchTransaction,
)
from payments.bank_statements.domain.records import TransactionStatus
from payments.bank_statements.render import bank_statement_object, bank_transaction_object
from payments.bank_statements.schemas import (
    UPLOAD_BODY,
    BankStatementList,
    BankStatementOut,
    BankTransactionList,
    BankTransactionOut,
    IgnoreIn,
    MatchIn,
)
from payments.bank_statements.service import imports, matching, queries
from payments.kernel.errors import InvalidRequest
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.openapi import Responses
from payments.platform.http.responses import json_response, list_object

router = APIRouter(tags=["bank statements"])

STATEMENT: Responses = {200: {"model": BankStatementOut}}
TRANSACTION: Responses = {200: {"model": BankTransactionOut}}

#: Content types of a statement sent as the body: camt XML, or MT940 text.
_RAW = ("application/xml", "text/xml", "text/plain", "application/octet-stream")


async def _statement_file(request: Request) -> tuple[bytes, str | None]:
    """The file as the body (``Content-Type: application/xml``; MT940 as ``text/plain``)
    or as the multipart field ``file``."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in _RAW:
        return await request.body(), None
    if content_type == "multipart/form-data":
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise InvalidRequest(
                    "Missing required param: file (the camt XML as the multipart field `file`).",
                    code="parameter_missing",
                    param="file",
                )
            return await upload.read(), upload.filename
    raise InvalidRequest(
        "Send the camt.053 / camt.054 XML as the body with Content-Type: application/xml "
        "(MT940: text/plain), or as the multipart field `file` (not "
        f"{content_type or 'no content type'}).",
        code="parameter_missing",
        param="file",
    )


@router.post(
    "/v1/bank_statements",
    responses=STATEMENT,
    summary="Import a camt.053 statement, camt.054 notification or MT940 (finance, admin)",
    openapi_extra=UPLOAD_BODY,
)
async def import_statement(request: Request, c: ContainerDep, ctx: ContextDep) -> Response:
    data, filename = await _statement_file(request)
    statement, _ = await imports.import_statement(
        ImportStatement(data=data, filename=filename),
        ctx=ctx,
        max_bytes=c.settings.max_upload_bytes,
        **services(c),
    )
    counts = await queries.statement_counts(statement.id, uow_factory=c.uow_factory)
    return json_response(bank_statement_object(statement, counts))


@router.get(
    "/v1/bank_statements",
    responses={200: {"model": BankStatementList}},
    summary="List imported bank statements (newest first)",
)
async def list_statements(c: ContainerDep, ctx: ContextDep, page: PageDep) -> Response:
    result = await queries.list_statements(page, uow_factory=c.uow_factory, ctx=ctx)
    data = [
        bank_statement_object(s, await queries.statement_counts(s.id, uow_factory=c.uow_factory))
        for s in result.data
    ]
    return json_response(list_object("/v1/bank_statements", data, result.has_more))


@router.get(
    "/v1/bank_statements/{statement_id}", responses=STATEMENT, summary="Retrieve a statement"
)
async def retrieve_statement(statement_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    statement, counts = await queries.retrieve_statement(
        statement_id, uow_factory=c.uow_factory, ctx=ctx
    )
    return json_response(bank_statement_object(statement, counts))


@router.get(
    "/v1/bank_transactions",
    responses={200: {"model": BankTransactionList}},
    summary="List bank transactions (newest first); status=unmatched is the matching queue",
)
async def list_transactions(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    status: TransactionStatus | None = None,
    bank_statement: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    result = await queries.list_transactions(
        ListBankTransactions(status=status, statement=bank_statement),
        page,
        uow_factory=c.uow_factory,
        ctx=ctx,
    )
    data = [bank_transaction_object(t) for t in result.data]
    return json_response(list_object("/v1/bank_transactions", data, result.has_more))


@router.get(
    "/v1/bank_transactions/{transaction_id}",
    responses=TRANSACTION,
    summary="Retrieve a bank transaction",
)
async def retrieve_transaction(transaction_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    tx = await queries.retrieve_transaction(transaction_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(bank_transaction_object(tx))


@router.post(
    "/v1/bank_transactions/{transaction_id}/match",
    responses=TRANSACTION,
    summary="Apply an unmatched transfer (or part of it) to an invoice (finance, admin)",
)
async def match(transaction_id: str, body: MatchIn, c: ContainerDep, ctx: ContextDep) -> Response:
    tx = await matching.match_transaction(
        MatchTransaction(id=transaction_id, invoice=body.invoice, amount=body.amount),
        ctx=ctx,
        **services(c),
    )
    return json_response(bank_transaction_object(tx))


@router.post(
    "/v1/bank_transactions/{transaction_id}/ignore",
    responses=TRANSACTION,
    summary="Set an unmatched transfer aside: not an invoice payment (finance, admin)",
)
async def ignore(
    transaction_id: str, c: ContainerDep, ctx: ContextDep, body: IgnoreIn | None = None
) -> Response:
    tx = await matching.ignore_transaction(
        IgnoreTransaction(id=transaction_id), ctx=ctx, **services(c)
    )
    return json_response(bank_transaction_object(tx))
