"""Daily rollups of the summaries, kept by the transactions that change the figures.

``report_daily_rollups`` holds, per UTC day, shop, payment method type and currency,
the sums the summary reads (captured charges, their gross and fees, succeeded refunds,
lost disputes and dispute fees, authorizations and declines); ``report_decline_rollups``
the declined charges per day, shop and decline code. The base tables stay the truth:
each sum is defined by the same ``SELECT`` as a from-scratch computation
(:func:`rebuild_sql`), and triggers (:func:`trigger_sql`) add the difference a row makes
to it, in the transaction that inserts or updates the charge, refund or dispute:

- an ``INSERT`` adds the new rows' contribution (PostgreSQL: one statement-level
  trigger over the inserted rows; SQLite: a row trigger);
- an ``UPDATE`` that changes a column the figures depend on adds (new - old); other
  updates do not fire (the trigger's ``WHEN``). On PostgreSQL this trigger is a
  *deferred constraint trigger*: it runs at commit, so the rollup row is locked only
  for the end of the transaction, after everything else it does (as the ledger's running
  balances are);
- every write is ``INSERT ... ON CONFLICT DO UPDATE SET x = x + excluded.x``: two
  transactions adding to the same row queue on it and neither addition is lost;
- rows are never deleted by the application (Stripe never deletes a charge, a refund or
  a dispute); after a hand-made delete or restore, ``payments reports rebuild-rollups``
  recomputes everything from the base tables (migration 0035 does it once).

The SQL is written out per dialect (PostgreSQL and SQLite) because triggers are not
portable; the column expressions are shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from payments.reports.tables import ROLLUP_SUMS

DAILY: Final = "report_daily_rollups"
DECLINES: Final = "report_decline_rollups"
KEY: Final = ("day", "location_id", "payment_method_type", "currency")
SUMS: Final = ROLLUP_SUMS
DECLINE_KEY: Final = ("day", "location_id", "code")

#: The columns of each base table an UPDATE must change for the rollups to move.
WATCHED: Final = {
    "charges": (
        "created",
        "location_id",
        "currency",
        "status",
        "captured",
        "amount_captured",
        "fee",
        "payment_method_details",
        "decline_code",
        "failure_code",
    ),
    "refunds": ("created", "location_id", "currency", "status", "amount", "charge_id"),
    "disputes": (
        "created",
        "location_id",
        "currency",
        "status",
        "amount",
        "fee",
        "funds_withdrawn",
        "charge_id",
    ),
}


def _day(dialect: str, column: str) -> str:
    """The UTC calendar day of a timestamp (SQLite stores UTC ISO text)."""
    if dialect == "postgresql":
        return f"CAST(({column} AT TIME ZONE 'UTC') AS date)"
    return f"substr({column}, 1, 10)"


def _method(dialect: str, details: str) -> str:
    if dialect == "postgresql":
        return f"COALESCE({details} ->> 'type', '')"
    return f"COALESCE(json_extract({details}, '$.type'), '')"


def _contribution(kind: str, dialect: str, r: str, sign: str, source: str) -> str:
    """One ``SELECT`` of the rollup columns that the rows of ``kind`` (aliased or named
    ``r``: a table alias, or NEW/OLD in a row trigger) contribute, times ``sign``."""
    if kind == "charges":
        captured = f"{r}.status = 'succeeded' AND {r}.captured"
        values = {
            "count": f"CASE WHEN {captured} THEN 1 ELSE 0 END",
            "gross": f"CASE WHEN {captured} THEN {r}.amount_captured ELSE 0 END",
            "fees": f"CASE WHEN {captured} THEN COALESCE({r}.fee, 0) ELSE 0 END",
            "authorized": f"CASE WHEN {r}.status = 'succeeded' THEN 1 ELSE 0 END",
            "declined": f"CASE WHEN {r}.status = 'failed' THEN 1 ELSE 0 END",
        }
        method = _method(dialect, f"{r}.payment_method_details")
    elif kind == "refunds":
        values = {
            "refunds": f"CASE WHEN {r}.status = 'succeeded' THEN {r}.amount ELSE 0 END",
            "refund_count": f"CASE WHEN {r}.status = 'succeeded' THEN 1 ELSE 0 END",
        }
        method = _method(dialect, "c.payment_method_details")
    else:
        values = {
            "disputes": (
                f"CASE WHEN {r}.funds_withdrawn AND {r}.status <> 'won' THEN {r}.amount ELSE 0 END"
            ),
            "fees": f"COALESCE({r}.fee, 0)",
            "dispute_count": "1",
        }
        method = _method(dialect, "c.payment_method_details")
    columns = [
        f"{_day(dialect, f'{r}.created')} AS day",
        f"{r}.location_id AS location_id",
        f"{method} AS payment_method_type",
        f"{r}.currency AS currency",
        *(f"{sign}({values.get(name, '0')}) AS {name}" for name in SUMS),
    ]
    return f"SELECT {', '.join(columns)} {source}"


def _decline_contribution(dialect: str, r: str, sign: str, source: str) -> str:
    return (
        f"SELECT {_day(dialect, f'{r}.created')} AS day, {r}.location_id AS location_id, "
        f"COALESCE({r}.decline_code, {r}.failure_code, 'unknown') AS code, "
        f"{sign}(CASE WHEN {r}.status = 'failed' THEN 1 ELSE 0 END) AS count {source}"
    )


def _upsert(table: str, key: Sequence[str], sums: Sequence[str], parts: Sequence[str]) -> str:
    """Add the grouped ``parts`` to ``table``: one statement, no lost update."""
    keys = ", ".join(key)
    totals = ", ".join(f"SUM(d.{s})" for s in sums)
    nonzero = " OR ".join(f"SUM(d.{s}) <> 0" for s in sums)
    add = ", ".join(f"{s} = {table}.{s} + excluded.{s}" for s in sums)
    union = " UNION ALL ".join(parts)
    return (  # names: this module's constants, values: none (S608 does not apply)
        f"INSERT INTO {table} ({keys}, {', '.join(sums)}) "  # noqa: S608
        f"SELECT {', '.join(f'd.{k}' for k in key)}, {totals} FROM ({union}) AS d "
        f"GROUP BY {', '.join(f'd.{k}' for k in key)} HAVING {nonzero} "
        f"ON CONFLICT ({keys}) DO UPDATE SET {add}"
    )


def _table_source(kind: str, table: str) -> str:
    if kind == "charges":
        return f"FROM {table} AS r"
    return f"FROM {table} AS r JOIN charges AS c ON c.id = r.charge_id"


def _row_source(kind: str, r: str) -> str:
    return "" if kind == "charges" else f"FROM charges AS c WHERE c.id = {r}.charge_id"


def daily_upsert(dialect: str, kind: str, *, table: str | None = None, rows: str = "") -> str:
    """The rollup statement of ``kind``: over a table (a rebuild, or the inserted rows of
    a statement trigger) when ``table`` is given, else over a trigger's NEW (and OLD,
    negated, when ``rows`` is ``"update"``)."""
    if table is not None:
        parts = [_contribution(kind, dialect, "r", "", _table_source(kind, table))]
    else:
        parts = [_contribution(kind, dialect, "NEW", "", _row_source(kind, "NEW"))]
        if rows == "update":
            parts.append(_contribution(kind, dialect, "OLD", "-", _row_source(kind, "OLD")))
    return _upsert(DAILY, KEY, SUMS, parts)


def decline_upsert(dialect: str, *, table: str | None = None, rows: str = "") -> str:
    if table is not None:
        parts = [_decline_contribution(dialect, "r", "", f"FROM {table} AS r")]
    else:
        parts = [_decline_contribution(dialect, "NEW", "", "")]
        if rows == "update":
            parts.append(_decline_contribution(dialect, "OLD", "-", ""))
    return _upsert(DECLINES, DECLINE_KEY, ("count",), parts)


def _changed(dialect: str, kind: str) -> str:
    distinct = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in WATCHED[kind])


def trigger_sql(dialect: str) -> list[str]:
    """The statements that create the rollup triggers (and, on PostgreSQL, functions)."""
    out: list[str] = []
    for kind in WATCHED:
        if dialect == "postgresql":
            inserted = [daily_upsert(dialect, kind, table="new_rows")]
            updated = [daily_upsert(dialect, kind, rows="update")]
            if kind == "charges":
                inserted.append(decline_upsert(dialect, table="new_rows"))
                updated.append(
                    "IF NEW.status = 'failed' OR OLD.status = 'failed' THEN "
                    f"{decline_upsert(dialect, rows='update')}; END IF"
                )
            out += [
                _pg_function(f"reports_rollup_{kind}_inserted", inserted),
                f"CREATE TRIGGER reports_rollup_{kind}_inserted AFTER INSERT ON {kind} "
                "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
                f"EXECUTE FUNCTION reports_rollup_{kind}_inserted()",
                _pg_function(f"reports_rollup_{kind}_updated", updated),
                f"CREATE CONSTRAINT TRIGGER reports_rollup_{kind}_updated AFTER UPDATE "
                f"ON {kind} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                f"WHEN ({_changed(dialect, kind)}) "
                f"EXECUTE FUNCTION reports_rollup_{kind}_updated()",
            ]
        else:
            for event, rows, name in (
                ("INSERT", "insert", "inserted"),
                ("UPDATE", "update", "updated"),
            ):
                when = f" WHEN {_changed(dialect, kind)}" if rows == "update" else ""
                body = [daily_upsert(dialect, kind, rows=rows)]
                out.append(
                    f"CREATE TRIGGER reports_rollup_{kind}_{name} AFTER {event} ON {kind} "
                    f"FOR EACH ROW{when} BEGIN {'; '.join(body)}; END"
                )
        if dialect != "postgresql" and kind == "charges":
            for event, rows, name in (
                ("INSERT", "insert", "inserted"),
                ("UPDATE", "update", "updated"),
            ):
                failed = "NEW.status = 'failed'"
                if rows == "update":
                    failed = f"({failed} OR OLD.status = 'failed') AND ({_changed(dialect, kind)})"
                out.append(
                    f"CREATE TRIGGER reports_decline_rollup_{name} AFTER {event} ON charges "
                    f"FOR EACH ROW WHEN {failed} BEGIN {decline_upsert(dialect, rows=rows)}; END"
                )
    return out


def drop_trigger_sql(dialect: str) -> list[str]:
    out: list[str] = []
    for kind in WATCHED:
        if dialect == "postgresql":
            for event in ("inserted", "updated"):
                out.append(f"DROP TRIGGER IF EXISTS reports_rollup_{kind}_{event} ON {kind}")
                out.append(f"DROP FUNCTION IF EXISTS reports_rollup_{kind}_{event}()")
        else:
            for event in ("inserted", "updated"):
                out.append(f"DROP TRIGGER IF EXISTS reports_rollup_{kind}_{event}")
    if dialect != "postgresql":
        out += [
            f"DROP TRIGGER IF EXISTS reports_decline_rollup_{e}" for e in ("inserted", "updated")
        ]
    return out


def _pg_function(name: str, statements: Sequence[str]) -> str:
    body = "; ".join(statements)
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body}; RETURN NULL; END $$"
    )


def rebuild_sql(dialect: str) -> list[str]:
    """Recompute both rollups from the base tables (PostgreSQL: with the base tables
    locked against writes until the transaction ends, so none is missed or counted
    twice)."""
    out: list[str] = []
    if dialect == "postgresql":
        out.append("LOCK TABLE charges, refunds, disputes IN SHARE MODE")
    out += [f"DELETE FROM {DAILY}", f"DELETE FROM {DECLINES}"]  # noqa: S608 - constants
    parts = [_contribution(k, dialect, "r", "", _table_source(k, k)) for k in WATCHED]
    out.append(_upsert(DAILY, KEY, SUMS, parts))
    out.append(decline_upsert(dialect, table="charges"))
    return out
