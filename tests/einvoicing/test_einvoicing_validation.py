"""Every sample kind passes the XSD and the official EN 16931 Schematron (no failed
assert that is not a warning), and wrong documents are reported, so the check can fail."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from payments.einvoicing.arithmetic import category_tax, figure_problems
from payments.einvoicing.cii import to_cii
from payments.einvoicing.model import InvoiceDocument
from payments.einvoicing.ubl import to_ubl
from payments.einvoicing.validation import (
    Problem,
    errors,
    parse_svrl,
    validate_cii,
    validate_document,
    validate_ubl,
)
from support.einvoicing_samples import (
    CREDIT_NOTE_DE,
    DOMESTIC_DE_19,
    EXPORT_GOODS_AND_SERVICES_DE_CH,
    MIXED_RATES_DE,
    VALID_SAMPLES,
)

SYNTAXES = {"cii": (to_cii, validate_cii), "ubl": (to_ubl, validate_ubl)}


def problems_of(doc: InvoiceDocument, syntax: str) -> list[Problem]:
    render, validate = SYNTAXES[syntax]
    return validate(render(doc))


def ids(problems: list[Problem]) -> set[str]:
    return {p.id for p in problems}


@pytest.mark.parametrize("syntax", sorted(SYNTAXES))
@pytest.mark.parametrize("kind", sorted(VALID_SAMPLES))
def test_every_sample_kind_passes_the_xsd_and_every_blocking_en16931_rule(
    kind: str, syntax: str
) -> None:
    problems = problems_of(VALID_SAMPLES[kind], syntax)
    assert errors(problems) == [], "\n".join(map(str, problems))


@pytest.mark.parametrize("kind", sorted(VALID_SAMPLES))
def test_every_sample_kind_has_exact_figures(kind: str) -> None:
    assert errors(figure_problems(VALID_SAMPLES[kind])) == []


def test_a_tax_total_off_by_a_cent_is_reported_in_both_syntaxes() -> None:
    wrong = dataclasses.replace(DOMESTIC_DE_19, tax_total=DOMESTIC_DE_19.tax_total + 1)
    for syntax in SYNTAXES:
        assert {"BR-CO-14", "BR-CO-15"} <= ids(errors(problems_of(wrong, syntax)))
    assert {"EXACT-BR-CO-14", "EXACT-BR-CO-15"} <= ids(figure_problems(wrong))


def test_a_standard_rated_invoice_without_seller_vat_id_or_tax_number_is_reported() -> None:
    seller = dataclasses.replace(DOMESTIC_DE_19.seller, vat_id=None, tax_registration_id=None)
    wrong = dataclasses.replace(DOMESTIC_DE_19, seller=seller)
    for syntax in SYNTAXES:
        assert "BR-S-02" in ids(errors(problems_of(wrong, syntax)))


def test_a_payable_amount_that_ignores_the_prepaid_amount_is_reported() -> None:
    wrong = dataclasses.replace(DOMESTIC_DE_19, prepaid_amount=1000)
    for syntax in SYNTAXES:
        assert "BR-CO-16" in ids(errors(problems_of(wrong, syntax)))


def test_a_credit_note_with_negative_amounts_is_reported() -> None:
    wrong = dataclasses.replace(CREDIT_NOTE_DE, payable_amount=-CREDIT_NOTE_DE.payable_amount)
    for syntax in SYNTAXES:
        assert "BR-CO-16" in ids(errors(problems_of(wrong, syntax)))


def test_goods_and_not_subject_services_cannot_share_one_document() -> None:
    for syntax in SYNTAXES:
        assert {"BR-O-11", "BR-O-12"} <= ids(
            errors(problems_of(EXPORT_GOODS_AND_SERVICES_DE_CH, syntax))
        )


def test_a_category_tax_one_cent_off_passes_the_tolerant_schematron_but_not_the_exact_check() -> (
    None
):
    # The official BR-S-09 / BR-CO-17 accept +-1 currency unit; EXACT-BR-09 does not.
    tax = DOMESTIC_DE_19.taxes[0]
    off = dataclasses.replace(tax, tax_amount=tax.tax_amount + 1)
    wrong = dataclasses.replace(
        DOMESTIC_DE_19,
        taxes=(off,),
        tax_total=off.tax_amount,
        tax_inclusive_total=DOMESTIC_DE_19.tax_inclusive_total + 1,
        payable_amount=DOMESTIC_DE_19.payable_amount + 1,
    )
    assert errors(problems_of(wrong, "cii")) == []
    assert ids(errors(figure_problems(wrong))) == {"EXACT-BR-09"}


def test_vat_rounded_per_line_instead_of_per_category_is_reported() -> None:
    # 154.80 at 19 %: per category 29.412 -> 29.41; per line 24.70+2.39+1.63+0.68 = 29.40.
    s19 = MIXED_RATES_DE.taxes[0]
    assert category_tax(s19.taxable_amount, s19.rate) == 2941
    per_line = dataclasses.replace(s19, tax_amount=2940)
    wrong = dataclasses.replace(
        MIXED_RATES_DE,
        taxes=(per_line, MIXED_RATES_DE.taxes[1]),
        tax_total=MIXED_RATES_DE.tax_total - 1,
        tax_inclusive_total=MIXED_RATES_DE.tax_inclusive_total - 1,
        payable_amount=MIXED_RATES_DE.payable_amount - 1,
    )
    assert ids(errors(figure_problems(wrong))) == {"EXACT-BR-09"}


def test_a_breakdown_that_does_not_match_its_lines_is_reported() -> None:
    tax = DOMESTIC_DE_19.taxes[0]
    wrong = dataclasses.replace(
        DOMESTIC_DE_19, taxes=(dataclasses.replace(tax, taxable_amount=tax.taxable_amount + 100),)
    )
    assert "BR-S-08" in ids(errors(problems_of(wrong, "ubl")))
    assert "EXACT-BR-08" in ids(figure_problems(wrong))


def test_category_tax_rounds_half_up_away_from_zero_once() -> None:
    assert category_tax(19990, Decimal("19")) == 3798  # 37.981
    assert category_tax(250, Decimal("7")) == 18  # 17.5
    assert category_tax(-250, Decimal("7")) == -18
    assert category_tax(12313, Decimal("21")) == 2586  # 25.8573


def test_an_xsd_violation_is_reported_with_its_line() -> None:
    xml = to_ubl(DOMESTIC_DE_19).replace(b"<cbc:IssueDate>2026-03-02</cbc:IssueDate>", b"")
    problems = errors(validate_ubl(xml))
    assert "XSD" in ids(problems)
    assert next(p for p in problems if p.id == "XSD").location.startswith("line ")
    xml = to_cii(DOMESTIC_DE_19).replace(b"<ram:TypeCode>380</ram:TypeCode>", b"", 1)
    assert {"XSD", "BR-04"} <= ids(errors(validate_cii(xml)))


def test_malformed_xml_is_a_problem_not_an_exception() -> None:
    assert ids(validate_cii(b"<rsm:CrossIndustryInvoice")) == {"XML"}


def test_a_doctype_is_refused_before_any_entity_is_resolved() -> None:
    xml = to_ubl(DOMESTIC_DE_19).replace(
        b"?>\n", b'?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n', 1
    )
    assert [(p.id, p.text) for p in validate_ubl(xml)] == [
        ("XML", "a DOCTYPE declaration is not allowed")
    ]


def test_validate_document_combines_arithmetic_and_both_syntaxes() -> None:
    assert errors(validate_document(DOMESTIC_DE_19)) == []
    wrong = dataclasses.replace(DOMESTIC_DE_19, tax_total=DOMESTIC_DE_19.tax_total + 1)
    locations = {p.location.split(":")[0] for p in errors(validate_document(wrong))}
    assert locations == {"document", "cii", "ubl"}


SVRL_REPORT = b"""<?xml version="1.0"?>
<svrl:schematron-output xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
  <svrl:failed-assert id="BR-CO-15" flag="fatal" location="/Invoice[1]" test="x">
    <svrl:text>[BR-CO-15]-Invoice total amount with VAT   (BT-112) ...</svrl:text>
  </svrl:failed-assert>
  <svrl:failed-assert id="UBL-CR-001" flag="warning" location="/Invoice[1]" test="y">
    <svrl:text>A UBL invoice should not include extensions</svrl:text>
  </svrl:failed-assert>
  <svrl:fired-rule context="/"/>
</svrl:schematron-output>"""


def test_svrl_failed_asserts_keep_id_location_text_and_tell_warnings_from_errors() -> None:
    problems = parse_svrl(SVRL_REPORT)
    assert problems == [
        Problem(
            "BR-CO-15",
            "/Invoice[1]",
            "[BR-CO-15]-Invoice total amount with VAT (BT-112) ...",
            "fatal",
        ),
        Problem(
            "UBL-CR-001", "/Invoice[1]", "A UBL invoice should not include extensions", "warning"
        ),
    ]
    assert [p.id for p in errors(problems)] == ["BR-CO-15"]
    assert problems[1].is_warning and not problems[1].is_error
