"""Report runs: ``POST /v1/reporting/report_runs`` stores a ``pending`` run; the worker
(:func:`execute_report_run`) claims it with a lease, writes its file row by row in
constant memory (keyset batches in, a temporary file, chunks into ``file_chunks``) and
marks it ``succeeded`` with the file as ``result``. A worker that dies mid-run leaves
its lease to expire: the next one starts the run over (the file's id is the run's, its
chunks are replaced), so a run survives restarts. After :data:`MAX_ATTEMPTS` failures the
run is ``failed`` with the error."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from payments.idempotency.service import created_earlier, remember_created
from payments.kernel.clock import Clock, to_unix
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound, PermissionDenied
from payments.kernel.ids import id_for
from payments.kernel.money import UnknownCurrency, normalize_currency
from payments.kernel.pagination import PageRequest
from payments.ledger.domain.accounts import CHART_OF_ACCOUNTS, Account
from payments.locations.repository import LocationRepository
from payments.platform.db.uow import UnitOfWorkFactory
from payments.platform.logs import get_logger
from payments.reconciliation.service.report import reconciliation_rows
from payments.reports.domain.datev import (
    DatevOptions,
    JournalEntry,
    booking_lines,
    column_line,
    format_line,
    header_line,
)
from payments.reports.domain.runs import (
    ReportFormat,
    ReportParameters,
    ReportRunStatus,
    ReportType,
    check_columns,
    check_interval,
    report_type,
    row_shaper,
    shaped,
)
from payments.reports.domain.summary import Period
from payments.reports.domain.vat import vat_report
from payments.reports.export import MEDIA_TYPES, LineFile, TableFile
from payments.reports.repository import (
    FileRepository,
    ReportRepository,
    ReportRowsRepository,
    ReportRunRepository,
)
from payments.reports.service.reports import require_report_reader

ITEMIZED = frozenset({ReportType.PAYMENTS_ITEMIZED, ReportType.REFUNDS_ITEMIZED})

log = get_logger("payments.reports")

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 3
CHUNKS_PER_TRANSACTION = 16

#: ``progress(rows_done, rows_total)`` while a run is written.
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class CreateReportRun:
    report_type: str
    interval_start: int
    interval_end: int
    columns: tuple[str, ...] | None = None
    location: str | None = None
    currency: str | None = None
    format: str = "csv"


def _at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def file_id_of(run_id: str) -> str:
    return "file_" + run_id.removeprefix("frr_")


def _visible_location(ctx: RequestContext, requested: str | None) -> str | None:
    own = ctx.principal.location_id
    if requested is None or requested == own:
        return own
    if own is not None:
        raise NotFound.of("location", requested, param="parameters[location]")
    return requested


async def create_report_run(
    cmd: CreateReportRun, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> dict[str, Any]:
    require_report_reader(ctx)
    kind = report_type(cmd.report_type)
    if kind.company_wide and ctx.principal.location_id is not None:
        raise PermissionDenied(
            f"{kind.value} reads the company-wide ledger; an API key restricted to one "
            "location cannot run it.",
            code="insufficient_permissions",
        )
    check_interval(_at(cmd.interval_start), _at(cmd.interval_end))
    if kind is ReportType.ACCOUNTING_DATEV:
        if cmd.columns:
            raise InvalidRequest(
                "The DATEV layout is fixed: leave parameters[columns] out.",
                param="parameters[columns]",
            )
        if cmd.format != ReportFormat.CSV.value:
            raise InvalidRequest("A DATEV file is CSV.", param="parameters[format]")
        cmd = replace(cmd, currency=cmd.currency or "eur")
    columns = check_columns(kind, cmd.columns)
    try:
        fmt = ReportFormat(cmd.format)
    except ValueError:
        raise InvalidRequest("Use format csv or xlsx.", param="parameters[format]") from None
    currency = None
    if cmd.currency:
        try:
            currency = normalize_currency(cmd.currency)
        except UnknownCurrency:
            raise InvalidRequest(
                f"Unknown currency {cmd.currency!r}.", param="parameters[currency]"
            ) from None
    location = _visible_location(ctx, cmd.location)
    parameters: dict[str, Any] = {
        "interval_start": cmd.interval_start,
        "interval_end": cmd.interval_end,
        "columns": list(columns),
        "format": fmt.value,
    }
    if location:
        parameters["location"] = location
    if currency:
        parameters["currency"] = currency
    async with uow_factory() as uow:
        if location and await uow.repo(LocationRepository).get(location) is None:
            raise NotFound.of("location", location, param="parameters[location]")
        if (earlier := await created_earlier(uow, ctx, "report_run")) is not None:
            found = await uow.repo(ReportRunRepository).get(earlier)
            if found:
                return await _rendered(uow, found)
        run_id = id_for("report_run")
        values = {
            "id": run_id,
            "report_type": kind.value,
            "parameters": parameters,
            "format": fmt.value,
            "location_id": location,
            "status": ReportRunStatus.PENDING.value,
            "rows_done": 0,
            "attempts": 0,
            "livemode": False,
            "created": clock.now(),
        }
        await uow.repo(ReportRunRepository).insert(values)
        await remember_created(uow, ctx, "report_run", run_id)
        await uow.commit()
        shown = values | {"error": None, "result_file_id": None, "rows_total": None}
        return await _rendered(uow, shown | {"succeeded_at": None})


async def _visible_run(uow: Any, run_id: str, ctx: RequestContext) -> dict[str, Any]:
    run = await uow.repo(ReportRunRepository).get(run_id)
    if run is None or not ctx.principal.sees_location(run["location_id"]):
        raise NotFound.of("reporting.report_run", run_id)
    return run


async def retrieve_report_run(
    run_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> dict[str, Any]:
    require_report_reader(ctx)
    async with uow_factory() as uow:
        return await _rendered(uow, await _visible_run(uow, run_id, ctx))


async def list_report_runs(
    page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> tuple[list[dict[str, Any]], bool]:
    require_report_reader(ctx)
    async with uow_factory() as uow:
        rows, more = await uow.repo(ReportRunRepository).page(
            page, location=ctx.principal.location_id
        )
        return [await _rendered(uow, r) for r in rows], more


async def _rendered(uow: Any, run: dict[str, Any]) -> dict[str, Any]:
    result = None
    if run["result_file_id"]:
        f = await uow.repo(FileRepository).get(run["result_file_id"])
        result = file_object(f) if f else None
    return {
        "id": run["id"],
        "object": "reporting.report_run",
        "created": to_unix(run["created"]),
        "error": run["error"],
        "livemode": run["livemode"],
        "parameters": run["parameters"],
        "report_type": run["report_type"],
        "result": result,
        "status": run["status"],
        "succeeded_at": to_unix(run["succeeded_at"]) if run["succeeded_at"] else None,
        "progress": {"rows": run["rows_done"], "total": run["rows_total"]},
    }


def file_object(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f["id"],
        "object": "file",
        "created": to_unix(f["created"]),
        "expires_at": to_unix(f["expires_at"]) if f["expires_at"] else None,
        "filename": f["filename"],
        "purpose": f["purpose"],
        "size": f["size"],
        "title": f["title"],
        "type": f["type"],
        "url": f"/v1/files/{f['id']}/contents",
    }


async def retrieve_file(
    file_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> dict[str, Any]:
    require_report_reader(ctx)
    async with uow_factory() as uow:
        f = await uow.repo(FileRepository).get(file_id)
    if f is None or not ctx.principal.sees_location(f["location_id"]):
        raise NotFound.of("file", file_id)
    return f


async def file_contents(file_id: str, *, uow_factory: UnitOfWorkFactory) -> AsyncIterator[bytes]:
    """The file's bytes, a few chunks per query (call :func:`retrieve_file` first)."""
    seq = 0
    while True:
        async with uow_factory() as uow:
            chunks = await uow.repo(FileRepository).chunks_from(file_id, seq, 8)
        if not chunks:
            return
        for n, data in chunks:
            yield data
            seq = n + 1


def media_type(f: dict[str, Any]) -> str:
    return MEDIA_TYPES[f["type"]]


# --------------------------------------------------------------------------- the worker


def _journal_row(row: dict[str, Any]) -> dict[str, Any]:
    amount = int(row.pop("amount"))
    try:
        code = CHART_OF_ACCOUNTS[Account(row["account"])].code
    except ValueError:
        code = ""
    return row | {
        "account_code": code,
        "debit": amount if amount > 0 else 0,
        "credit": -amount if amount < 0 else 0,
    }


def _journal_entry(row: dict[str, Any]) -> JournalEntry:
    return JournalEntry(
        transaction_id=row["transaction_id"],
        created=row["created_utc"],
        kind=row["kind"],
        source_id=row["source_id"],
        account=row["account"],
        dimension=row["dimension"],
        currency=row["currency"],
        amount=int(row["amount"]),
    )


def _iso(row: dict[str, Any]) -> dict[str, Any]:
    created = row.get("created_utc")
    if isinstance(created, datetime):
        row["created_utc"] = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return row


async def execute_report_run(
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    progress: Progress | None = None,
    run_id: str | None = None,
    datev: DatevOptions | None = None,
) -> int:
    """Claim one pending run (or the one named) and write its file; 1 if a run was
    taken, else 0."""
    async with uow_factory() as uow:
        run = await uow.repo(ReportRunRepository).claim(
            clock.now(), lease_until=clock.now() + LEASE, run_id=run_id
        )
        await uow.commit()
    if run is None:
        return 0
    try:
        await _write(
            run,
            uow_factory=uow_factory,
            clock=clock,
            progress=progress,
            options=datev or DatevOptions(),
        )
    except Exception as exc:
        log.exception("report_run_failed", report_run=run["id"], attempt=run["attempts"])
        final = run["attempts"] >= MAX_ATTEMPTS
        async with uow_factory() as uow:
            await uow.repo(ReportRunRepository).update(
                run["id"],
                locked_until=None,
                **(
                    {"status": ReportRunStatus.FAILED.value, "error": str(exc)[:500]}
                    if final
                    else {}
                ),
            )
            await uow.commit()
    return 1


async def _write(
    run: dict[str, Any],
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    progress: Progress | None,
    options: DatevOptions,
) -> None:
    kind = ReportType(run["report_type"])
    raw = run["parameters"]
    params = ReportParameters(
        interval_start=_at(raw["interval_start"]),
        interval_end=_at(raw["interval_end"]),
        columns=tuple(raw["columns"]),
        location=raw.get("location"),
        currency=raw.get("currency"),
    )
    run_id, file_id = run["id"], file_id_of(run["id"])
    datev = kind is ReportType.ACCOUNTING_DATEV
    source = ReportType.LEDGER_JOURNAL.value if datev else kind.value
    table: TableFile | LineFile
    pending: list[JournalEntry] = []
    if datev:
        table = LineFile()
        last_day = (params.interval_end - timedelta(microseconds=1)).date()
        table.write_lines(
            [
                header_line(
                    created=clock.now(),
                    consultant=options.consultant,
                    client=options.client,
                    fiscal_year_start=options.fiscal_year_start(params.interval_start.date()),
                    start=params.interval_start.date(),
                    end=last_day,
                    chart=options.chart,
                    currency=params.currency or "eur",
                    title=f"payments {run_id}"[:30],
                ),
                column_line(),
            ]
        )
    else:
        table = TableFile(run["format"], params.columns, title=kind.value)

    def book(entries: list[JournalEntry]) -> None:
        lines = booking_lines(entries, chart=options.chart, overrides=options.overrides)
        assert isinstance(table, LineFile)  # noqa: S101 - only a DATEV run books
        table.write_lines([format_line(line) for line in lines])

    try:
        done, total = 0, None
        if kind in (
            ReportType.PAYMENTS_ITEMIZED,
            ReportType.REFUNDS_ITEMIZED,
            ReportType.LEDGER_JOURNAL,
            ReportType.ACCOUNTING_DATEV,
        ):
            async with uow_factory() as uow:
                total = await uow.repo(ReportRowsRepository).count(source, params)
                await uow.repo(ReportRunRepository).update(run_id, rows_total=total)
                await uow.commit()
            cursor = None
            shape: Callable[[Sequence[Any]], list[Any]] | None = None
            while True:
                async with uow_factory() as uow:
                    if kind in ITEMIZED:  # tuples straight into csv.writer
                        tuples, keys, cursor = await uow.repo(ReportRowsRepository).batch_tuples(
                            source, params, cursor
                        )
                        rows: list[dict[str, Any]] = []
                    else:
                        rows, cursor = await uow.repo(ReportRowsRepository).batch(
                            source, params, cursor
                        )
                        tuples = []
                if not rows and not tuples:
                    break
                if tuples:
                    assert isinstance(table, TableFile)  # noqa: S101 - itemized runs are tables
                    shape = shape or row_shaper(keys, params.columns)
                    table.write([shape(r) for r in tuples])
                elif datev:
                    for r in rows:  # a transaction's entries are consecutive
                        entry = _journal_entry(r)
                        if pending and pending[-1].transaction_id != entry.transaction_id:
                            book(pending)
                            pending = []
                        pending.append(entry)
                elif isinstance(table, TableFile):
                    if kind is ReportType.LEDGER_JOURNAL:
                        rows = [_journal_row(r) for r in rows]
                    table.write([shaped(_iso(r), params.columns) for r in rows])
                done += len(rows) + len(tuples)
                async with uow_factory() as uow:  # progress, and the lease renewed
                    await uow.repo(ReportRunRepository).update(
                        run_id, rows_done=done, locked_until=clock.now() + LEASE
                    )
                    await uow.commit()
                if progress:
                    progress(done, total)
            if pending:
                book(pending)
        else:
            assert isinstance(table, TableFile)  # noqa: S101 - DATEV runs take the branch above
            async with uow_factory() as uow:
                if kind is ReportType.BALANCE_SUMMARY:
                    rows = await uow.repo(ReportRowsRepository).balance_summary(params)
                elif kind is ReportType.PAYOUTS_RECONCILIATION:
                    rows = await reconciliation_rows(
                        uow, params.interval_start, params.interval_end, currency=params.currency
                    )
                else:
                    period = Period(
                        params.interval_start.date(),
                        (params.interval_end - timedelta(microseconds=1)).date(),
                    )
                    docs = await uow.repo(ReportRepository).vat_documents(
                        period, legal_entity=None, location=params.location
                    )
                    rows = vat_report(docs)["groups"]
                    if params.currency:
                        rows = [r for r in rows if r["currency"] == params.currency]
            table.write([shaped(r, params.columns) for r in rows])
            done = total = len(rows)
            if progress:
                progress(done, total)
        size = table.finish()
        async with uow_factory() as uow:
            await uow.repo(FileRepository).drop_chunks(file_id)  # an earlier attempt's
            await uow.commit()
        seq, buffered = 0, []
        for data in table.chunks():
            buffered.append(data)
            if len(buffered) == CHUNKS_PER_TRANSACTION:
                seq = await _store_chunks(uow_factory, file_id, seq, buffered)
                buffered = []
        if buffered:
            await _store_chunks(uow_factory, file_id, seq, buffered)
        start = params.interval_start.strftime("%Y-%m-%d")
        end = params.interval_end.strftime("%Y-%m-%d")
        async with uow_factory() as uow:
            await uow.repo(FileRepository).insert(
                {
                    "id": file_id,
                    "purpose": "finance_report_run",
                    "filename": f"{kind.value}_{start}_{end}.{run['format']}",
                    "title": f"{kind.value} {start} to {end} ({run_id})",
                    "type": run["format"],
                    "size": size,
                    "location_id": run["location_id"],
                    "expires_at": None,
                    "created": clock.now(),
                }
            )
            await uow.repo(ReportRunRepository).update(
                run_id,
                status=ReportRunStatus.SUCCEEDED.value,
                result_file_id=file_id,
                succeeded_at=clock.now(),
                locked_until=None,
                rows_done=done,
            )
            await uow.commit()
    finally:
        table.close()


async def _store_chunks(
    uow_factory: UnitOfWorkFactory, file_id: str, seq: int, chunks: list[bytes]
) -> int:
    async with uow_factory() as uow:
        for data in chunks:
            await uow.repo(FileRepository).add_chunk(file_id, seq, data)
            seq += 1
        await uow.commit()
    return seq


async def save_file(file_id: str, path: str, *, uow_factory: UnitOfWorkFactory) -> int:
    """Write a stored file to ``path`` (chunk by chunk); the bytes written."""
    written = 0
    with open(path, "wb") as out:  # noqa: ASYNC230 - a CLI command's local file
        async for data in file_contents(file_id, uow_factory=uow_factory):
            out.write(data)
            written += len(data)
    return written


def datev_options(settings: Any) -> DatevOptions:
    """The DATEV export's options from the service's settings."""
    return DatevOptions(
        chart=settings.datev_chart,
        overrides=dict(settings.datev_accounts),
        consultant=settings.datev_consultant_number,
        client=settings.datev_client_number,
        fiscal_year_start_month=settings.datev_fiscal_year_start_month,
    )
