"""Legal notes for invoices without VAT, in the invoice's language."""

from __future__ import annotations

import pytest

from payments.tax.domain import LANGUAGES, LegalNote, legal_note


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Reverse charge"),
        ("de", "Steuerschuldnerschaft des Leistungsempfängers"),
        ("fr", "Autoliquidation"),
        ("nl", "Btw verlegd"),
        ("pl", "Odwrotne obciążenie"),
        ("sv", "Omvänd betalningsskyldighet"),
        ("it", "Inversione contabile"),
        ("de-CH", "Steuerschuldnerschaft des Leistungsempfängers"),
        ("pt", "Reverse charge"),  # no Portuguese text: English
    ],
)
def test_the_reverse_charge_note_in_each_invoice_language(language: str, text: str) -> None:
    assert legal_note("reverse_charge", language) == text


def test_every_note_exists_in_every_language() -> None:
    for key in LegalNote:
        texts = {legal_note(key.value, language) for language in LANGUAGES}
        assert len(texts) == len(LANGUAGES), key  # each language has its own wording
    assert legal_note("export", "de") == "Steuerfreie Ausfuhrlieferung"
    assert legal_note("intra_community", "de") == "Steuerfreie innergemeinschaftliche Lieferung"


def test_an_unknown_note_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        legal_note("tax_holiday", "en")
