"""The VAT engine: pure rules, no framework, no I/O beyond reading the packaged rate file.

Interface (stable; extended, never renamed)::

    calculate_tax(lines, *, seller, buyer, currency, tax_point) -> TaxCalculation
    rate_for(country, category, on) -> Decimal            # raises UnknownTaxRate
    normalize_vat_id(type, value) -> str                  # raises InvalidVatId
    legal_note(key, language) -> str

Rules (details in :mod:`.treatment`, rounding in :mod:`.rounding`, rates in :mod:`.rates`):

* The rate is the SELLING shop's country's, for the line's ``tax_category``, on the tax
  point (the invoice's date of supply).
* Domestic B2C and B2B: the seller's VAT, category ``S`` (``Z`` for the ``zero`` category).
* Intra-EU B2B (buyer's checksum-valid VAT id of another member state, or buyer
  ``tax_exempt=reverse``): services ``AE`` reverse charge (note ``reverse_charge``), goods
  ``K`` exempt intra-Community supply (note ``intra_community``); rate 0.
* Buyer outside the seller's VAT area (EU; CH+LI; NO; GB): goods ``G`` export (note
  ``export``); services to a business ``O`` not subject (note ``not_subject``); services to a
  consumer keep the seller's VAT (place of supply at the supplier, Art. 45 / 54(2)(b)).
* Lines of category ``exempt``: ``E`` with their exemption reason (required: 400
  ``tax_exemption_reason_missing``) and VATEX code when given. Buyer ``tax_exempt=exempt``:
  every line ``E``.
* CH, NO and GB sellers follow the same rules with their own country as the VAT area.
* Rounding (EN 16931): VAT per breakdown group (category code, rate) = group taxable total *
  rate / 100, rounded half up (ties away from zero) to the currency's minor unit ONCE per
  group. Inclusive lines: gross-preserving back-calculation (``net_from_gross``). Inclusive
  and exclusive lines in one calculation are refused (400 ``tax_behavior_mixed``).
* Totals: net_total = Σ taxable, tax_total = Σ tax, gross_total = net_total + tax_total.
"""

from __future__ import annotations

from payments.tax.domain.calculation import calculate_tax
from payments.tax.domain.countries import EU_MEMBER_STATES, SUPPORTED_COUNTRIES, is_eu, vat_area
from payments.tax.domain.errors import (
    ExemptionReasonMissing,
    InvalidVatId,
    MixedTaxBehavior,
    RateTableError,
    UnknownTaxRate,
    UnsupportedTaxIdType,
)
from payments.tax.domain.model import (
    CategoryCode,
    LegalNote,
    LineTax,
    SupplyKind,
    TaxableLine,
    TaxBehavior,
    TaxBreakdown,
    TaxCalculation,
    TaxCategory,
    TaxExempt,
    TaxParty,
)
from payments.tax.domain.notes import LANGUAGES, legal_note
from payments.tax.domain.rates import COVERAGE_START, RatePeriod, RateTable, rate_for, rate_table
from payments.tax.domain.rounding import net_from_gross, round_half_up, tax_on
from payments.tax.domain.vat_ids import (
    TaxIdType,
    check_vat_id,
    normalize_vat_id,
    vat_id_country,
    vat_id_type,
)

__all__ = [
    "COVERAGE_START",
    "EU_MEMBER_STATES",
    "LANGUAGES",
    "SUPPORTED_COUNTRIES",
    "CategoryCode",
    "ExemptionReasonMissing",
    "InvalidVatId",
    "LegalNote",
    "LineTax",
    "MixedTaxBehavior",
    "RatePeriod",
    "RateTable",
    "RateTableError",
    "SupplyKind",
    "TaxBehavior",
    "TaxBreakdown",
    "TaxCalculation",
    "TaxCategory",
    "TaxExempt",
    "TaxIdType",
    "TaxParty",
    "TaxableLine",
    "UnknownTaxRate",
    "UnsupportedTaxIdType",
    "calculate_tax",
    "check_vat_id",
    "is_eu",
    "legal_note",
    "net_from_gross",
    "normalize_vat_id",
    "rate_for",
    "rate_table",
    "round_half_up",
    "tax_on",
    "vat_area",
    "vat_id_country",
    "vat_id_type",
]
