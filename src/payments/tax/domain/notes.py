"""Legal notes an invoice must print when it charges no VAT, in the invoice's language.

Art. 226(11) and (11a) of Directive 2006/112/EC require a reference to the exemption or the
words "Reverse charge" (and national laws, e.g. § 14a UStG, their own wording). The texts
are the customary short forms; the e-invoice adds the VATEX code of the legal basis.
Languages: en, de, nl, pl, sv, fr, it; a language tag (``de-AT``) uses its language; any
other language gets English.
"""

from __future__ import annotations

from payments.tax.domain.model import LegalNote

LANGUAGES = ("en", "de", "nl", "pl", "sv", "fr", "it")

NOTES: dict[LegalNote, dict[str, str]] = {
    LegalNote.REVERSE_CHARGE: {
        "en": "Reverse charge",
        "de": "Steuerschuldnerschaft des Leistungsempfängers",
        "nl": "Btw verlegd",
        "pl": "Odwrotne obciążenie",
        "sv": "Omvänd betalningsskyldighet",
        "fr": "Autoliquidation",
        "it": "Inversione contabile",
    },
    LegalNote.INTRA_COMMUNITY: {
        "en": "Exempt intra-Community supply of goods",
        "de": "Steuerfreie innergemeinschaftliche Lieferung",
        "nl": "Intracommunautaire levering, vrijgesteld van btw",
        "pl": "Wewnątrzwspólnotowa dostawa towarów",
        "sv": "Gemenskapsintern leverans, undantagen från mervärdesskatt",
        "fr": "Livraison intracommunautaire exonérée de TVA",
        "it": "Cessione intracomunitaria non imponibile",
    },
    LegalNote.EXPORT: {
        "en": "Exempt export of goods",
        "de": "Steuerfreie Ausfuhrlieferung",
        "nl": "Uitvoer, vrijgesteld van btw",
        "pl": "Eksport towarów",
        "sv": "Export, undantagen från mervärdesskatt",
        "fr": "Exportation exonérée de TVA",
        "it": "Esportazione non imponibile",
    },
    LegalNote.NOT_SUBJECT: {
        "en": "Not subject to VAT: place of supply outside the supplier's country",
        "de": "Nicht im Inland steuerbare Leistung",
        "nl": "Niet onderworpen aan btw: plaats van dienst buiten het land van de leverancier",
        "pl": "Nie podlega opodatkowaniu w kraju dostawcy",
        "sv": "Ej föremål för mervärdesskatt: tjänsten är omsatt utanför säljarens land",
        "fr": "Non soumis à la TVA : lieu de la prestation hors du pays du prestataire",
        "it": "Operazione non soggetta a IVA: luogo della prestazione fuori dal paese del prestatore",
    },
    LegalNote.EXEMPT: {
        "en": "Exempt from VAT",
        "de": "Steuerfreier Umsatz",
        "nl": "Vrijgesteld van btw",
        "pl": "Zwolnione z VAT",
        "sv": "Undantagen från mervärdesskatt",
        "fr": "Exonéré de TVA",
        "it": "Operazione esente da IVA",
    },
}


def legal_note(key: str, language: str) -> str:
    """The note ``key`` (a :class:`LegalNote` value) in ``language``; raises ``KeyError``
    for an unknown key (a programming error, not bad input)."""
    try:
        texts = NOTES[LegalNote(key)]
    except ValueError:
        raise KeyError(f"Unknown legal note: {key!r}") from None
    primary = language.replace("_", "-").split("-", 1)[0].lower() if language else "en"
    return texts.get(primary, texts["en"])
