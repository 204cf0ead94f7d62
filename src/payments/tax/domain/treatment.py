"""Which VAT treatment a line gets: EN 16931 category code, rate and legal note.

The rules, in the order they are tried (the first that applies wins):

1. Buyer ``tax_exempt=exempt``: ``E`` (exempt), reason from the line, else the buyer's, else
   a generic text; note ``exempt``.
2. Line ``tax_category=exempt``: ``E`` with the line's exemption reason (required, else 400
   ``tax_exemption_reason_missing``) and its VATEX code when given; note ``exempt``.
3. Buyer outside the seller's VAT area (EU for an EU seller; CH with LI, NO, GB each their
   own): goods are an export, ``G`` (VATEX-EU-G, note ``export``; the seller must hold
   proof the goods left the area); services to a business (a buyer with a VAT id or
   ``tax_exempt=reverse``) are taxed where the buyer is, ``O`` (VATEX-EU-O, note
   ``not_subject``); services to a consumer stay taxable at the seller's (Art. 45, and
   Art. 54(2)(b) for work on movable goods done in the shop): rule 5.
4. Both in the EU and the buyer is a business of another member state (a checksum-valid
   VAT id whose country is an EU member state other than the seller's) or has
   ``tax_exempt=reverse``: services are reverse-charged, ``AE`` (VATEX-EU-AE, note
   ``reverse_charge``); goods are an exempt intra-Community supply, ``K`` (VATEX-EU-IC,
   note ``intra_community``; the goods must be dispatched to the other member state).
   A same-country buyer with ``tax_exempt=reverse`` (domestic reverse charge, e.g. § 13b
   UStG) gets ``AE`` for goods and services alike. The same applies within CH/NO/GB.
5. Otherwise the seller's domestic VAT: the rate of the line's category in the seller's
   country on the tax point, ``S`` (``Z`` for the ``zero`` category).

Rates of ``E``, ``AE``, ``K``, ``G``, ``O`` and ``Z`` are 0 (for ``O`` EN 16931 wants no
rate at all on the line: the e-invoice omits it). Not modelled: OSS distance sales of goods
to consumers in other member states, Northern Ireland's goods protocol, triangulation,
regional rates (Canaries, Azores, Madeira, Greek islands, Corsica, overseas France).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from payments.tax.domain.countries import is_eu, vat_area
from payments.tax.domain.errors import ExemptionReasonMissing
from payments.tax.domain.model import (
    CategoryCode,
    LegalNote,
    SupplyKind,
    TaxableLine,
    TaxCategory,
    TaxExempt,
    TaxParty,
)
from payments.tax.domain.notes import legal_note
from payments.tax.domain.rates import rate_for
from payments.tax.domain.vat_ids import vat_id_country
from payments.tax.domain.vatex import IMPLIED, check_vatex

ZERO = Decimal(0)
BUYER_EXEMPT_REASON = "Exempt from VAT: the buyer is exempt"


@dataclass(frozen=True, slots=True)
class Treatment:
    code: CategoryCode
    rate: Decimal
    note: LegalNote | None = None
    exemption_reason: str | None = None
    exemption_reason_code: str | None = None


def _without_vat(code: CategoryCode, note: LegalNote) -> Treatment:
    return Treatment(code, ZERO, note, legal_note(note, "en"), IMPLIED[code])


def _exempt(line: TaxableLine, reason: str, index: int) -> Treatment:
    code = check_vatex(line.exemption_reason_code, param=f"lines[{index}][exemption_reason_code]")
    return Treatment(CategoryCode.EXEMPT, ZERO, LegalNote.EXEMPT, reason, code)


def _is_business(buyer: TaxParty) -> bool:
    return buyer.vat_id is not None or buyer.tax_exempt is TaxExempt.REVERSE


def _other_member_state_business(seller: TaxParty, buyer: TaxParty) -> bool:
    if buyer.tax_exempt is TaxExempt.REVERSE:
        return buyer.country != seller.country
    if buyer.vat_id is None:
        return False
    country = vat_id_country(buyer.vat_id)
    return is_eu(country) and country != seller.country


def treat(
    line: TaxableLine, *, seller: TaxParty, buyer: TaxParty, tax_point: date, index: int = 0
) -> Treatment:
    """The treatment of ``line`` (the ``index``-th) sold by ``seller`` to ``buyer``."""
    if buyer.tax_exempt is TaxExempt.EXEMPT:
        return _exempt(
            line, line.exemption_reason or buyer.exemption_reason or BUYER_EXEMPT_REASON, index
        )
    if line.tax_category is TaxCategory.EXEMPT:
        if not (line.exemption_reason and line.exemption_reason.strip()):
            raise ExemptionReasonMissing(
                f"Line {line.key!r} is exempt: give its exemption_reason (the legal basis)",
                param=f"lines[{index}][exemption_reason]",
            )
        return _exempt(line, line.exemption_reason.strip(), index)
    goods = line.kind is SupplyKind.GOODS
    if vat_area(buyer.country) != vat_area(seller.country):
        if goods:
            return _without_vat(CategoryCode.EXPORT, LegalNote.EXPORT)
        if _is_business(buyer):
            return _without_vat(CategoryCode.NOT_SUBJECT, LegalNote.NOT_SUBJECT)
    elif buyer.tax_exempt is TaxExempt.REVERSE and buyer.country == seller.country:
        return _without_vat(CategoryCode.REVERSE_CHARGE, LegalNote.REVERSE_CHARGE)
    elif is_eu(seller.country) and _other_member_state_business(seller, buyer):
        if goods:
            return _without_vat(CategoryCode.INTRA_COMMUNITY, LegalNote.INTRA_COMMUNITY)
        return _without_vat(CategoryCode.REVERSE_CHARGE, LegalNote.REVERSE_CHARGE)
    elif buyer.tax_exempt is TaxExempt.REVERSE:  # within CH/LI: the buyer accounts for it
        return _without_vat(CategoryCode.REVERSE_CHARGE, LegalNote.REVERSE_CHARGE)
    rate = rate_for(seller.country, line.tax_category, tax_point)
    code = CategoryCode.ZERO if line.tax_category is TaxCategory.ZERO else CategoryCode.STANDARD
    return Treatment(code, rate)
