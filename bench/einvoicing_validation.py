"""Time the e-invoicing documents: Schematron compilation, XML rendering, validation, PDF.

Runs in one process over the sample documents of the test suite
(``tests/support/einvoicing_samples.py``), prints ONE JSON line and exits 1 if
any sample has a blocking problem. Usage::

    .venv/bin/python bench/einvoicing_validation.py            # 5 rounds, 3 PDFs
    .venv/bin/python bench/einvoicing_validation.py --rounds 20 --pdfs 0
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from payments.einvoicing import validation
from payments.einvoicing.cii import to_cii
from payments.einvoicing.pdf import to_pdf
from payments.einvoicing.ubl import to_ubl
from support.einvoicing_samples import VALID_SAMPLES


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def summary(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 2),
        "max_ms": round(ordered[-1], 2),
        "n": len(ordered),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pdfs", type=int, default=3)
    args = parser.parse_args()

    startup = time.perf_counter()
    validation.compile_stylesheets()
    compile_ms = (time.perf_counter() - startup) * 1000

    docs = list(VALID_SAMPLES.values())
    render: dict[str, list[float]] = {"cii": [], "ubl": []}
    check: dict[str, list[float]] = {"cii": [], "ubl": []}
    blocking = 0
    for _ in range(args.rounds):
        for doc in docs:
            for syntax, to_xml, validate in (
                ("cii", to_cii, validation.validate_cii),
                ("ubl", to_ubl, validation.validate_ubl),
            ):
                start = time.perf_counter()
                xml = to_xml(doc)
                render[syntax].append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                problems = validate(xml)
                check[syntax].append((time.perf_counter() - start) * 1000)
                blocking += len(validation.errors(problems))
    pdf_ms = [timed(lambda doc=doc: to_pdf(doc)) for doc in docs[: args.pdfs]]

    print(
        json.dumps(
            {
                "schematron_compile_both_ms": round(compile_ms, 1),
                "render_cii": summary(render["cii"]),
                "render_ubl": summary(render["ubl"]),
                "validate_cii": summary(check["cii"]),
                "validate_ubl": summary(check["ubl"]),
                "to_pdf": summary(pdf_ms) if pdf_ms else None,
                "samples": len(docs),
                "blocking_problems": blocking,
            }
        )
    )
    return 1 if blocking else 0


if __name__ == "__main__":
    sys.exit(main())
