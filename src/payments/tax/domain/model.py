"""The tax engine's vocabulary: categories, parties, lines and the calculation result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from payments.kernel.errors import InvalidRequest
from payments.kernel.geo import normalize_country


class TaxCategory(StrEnum):
    """What a line is, for the rate table: the rate comes from (seller country, category, date).

    ``reduced`` is a country's higher reduced rate and ``reduced_2`` the lower one, except in
    AT and CH, where national usage calls the lower one *the* reduced rate (AT 10 %, CH 2.6 %)
    and the higher one a second/special rate (AT 13 %, CH 3.8 %): there ``reduced`` is the
    lower. ``reduced_3`` is a third reduced rate (MT 5 %). ``super_reduced`` is a rate below
    5 % (FR 2.1, IT 4, ES 4, IE 4.8, LU 3, CY 3, AT 4.9 from 2026-07-01). A category keeps its
    slot through a country's history (FI ``reduced``: 14 % until 2025, 13.5 % from 2026);
    the data file's ``description`` column says what each slot covers in each country.
    """

    STANDARD = "standard"
    REDUCED = "reduced"
    REDUCED_2 = "reduced_2"
    REDUCED_3 = "reduced_3"
    SUPER_REDUCED = "super_reduced"
    ZERO = "zero"
    EXEMPT = "exempt"


class TaxBehavior(StrEnum):
    """Whether a line's amount is net (``exclusive``) or already includes VAT (``inclusive``)."""

    EXCLUSIVE = "exclusive"
    INCLUSIVE = "inclusive"


class TaxExempt(StrEnum):
    """A customer's tax status, as Stripe's ``tax_exempt``."""

    NONE = "none"
    EXEMPT = "exempt"
    REVERSE = "reverse"


class SupplyKind(StrEnum):
    GOODS = "goods"
    SERVICES = "services"


class CategoryCode(StrEnum):
    """EN 16931 VAT category codes (UNCL5305 subset, BT-118/BT-151)."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    NOT_SUBJECT = "O"


class LegalNote(StrEnum):
    """Keys of the legal notes an invoice must print (texts: :func:`legal_note`)."""

    REVERSE_CHARGE = "reverse_charge"
    INTRA_COMMUNITY = "intra_community"
    EXPORT = "export"
    EXEMPT = "exempt"
    NOT_SUBJECT = "not_subject"


def _check_country(country: object, param: str) -> None:
    """ISO 3166-1 alpha-2 in upper case (CLDR's list), else a 400 naming ``param``."""
    if not isinstance(country, str) or normalize_country(country, param=param) != country:
        raise InvalidRequest(
            f"Invalid country: {country!r} must be an upper-case ISO 3166-1 alpha-2 code",
            code="country_invalid",
            param=param,
        )


@dataclass(frozen=True, slots=True)
class TaxParty:
    """Seller or buyer as the rules see them.

    ``vat_id``: normalised (:func:`~payments.tax.domain.vat_ids.normalize_vat_id`) and
    checksum-valid, or None. ``exemption_reason``: why a ``tax_exempt=exempt`` buyer is
    exempt (e.g. "Diplomatic mission, Art. 151(1)(a) Directive 2006/112/EC"), printed on
    its invoices; a generic text is used when None.
    """

    country: str
    vat_id: str | None = None
    tax_exempt: TaxExempt = TaxExempt.NONE
    exemption_reason: str | None = None

    def __post_init__(self) -> None:
        _check_country(self.country, "country")
        object.__setattr__(self, "tax_exempt", TaxExempt(self.tax_exempt))


@dataclass(frozen=True, slots=True)
class TaxableLine:
    """One invoice line as the engine sees it.

    ``amount``: integer minor units after discount, net if ``exclusive``, gross if
    ``inclusive`` (may be negative, e.g. a correction line). ``exemption_reason`` (and
    optionally a VATEX ``exemption_reason_code``) is required for ``exempt`` lines.
    """

    key: str
    amount: int
    tax_category: TaxCategory = TaxCategory.STANDARD
    tax_behavior: TaxBehavior = TaxBehavior.EXCLUSIVE
    kind: SupplyKind = SupplyKind.SERVICES
    exemption_reason: str | None = None
    exemption_reason_code: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError("TaxableLine.amount must be an int of minor units")
        object.__setattr__(self, "tax_category", TaxCategory(self.tax_category))
        object.__setattr__(self, "tax_behavior", TaxBehavior(self.tax_behavior))
        object.__setattr__(self, "kind", SupplyKind(self.kind))


@dataclass(frozen=True, slots=True)
class LineTax:
    """The treatment of one line: its EN 16931 category, rate and net amount (BT-131).

    For an inclusive line ``net_amount`` is its share of its group's derived net
    (largest-remainder allocation), so the lines of a group always sum to its taxable amount.
    """

    key: str
    category_code: str
    rate: Decimal
    net_amount: int
    tax_category: TaxCategory = TaxCategory.STANDARD
    exemption_reason: str | None = None


@dataclass(frozen=True, slots=True)
class TaxBreakdown:
    """One VAT breakdown group (BG-23): category code and rate, amounts in minor units."""

    category_code: str
    rate: Decimal
    taxable_amount: int
    tax_amount: int
    exemption_reason: str | None
    exemption_reason_code: str | None


@dataclass(frozen=True, slots=True)
class TaxCalculation:
    """Lines in input order, breakdown sorted by (category code, rate descending).

    ``net_total`` = Σ taxable (BT-109/BT-116), ``tax_total`` = Σ tax (BT-110/BT-117),
    ``gross_total`` = net + tax (BT-112). ``notes``: legal note keys, sorted.
    """

    lines: tuple[LineTax, ...]
    breakdown: tuple[TaxBreakdown, ...]
    net_total: int
    tax_total: int
    gross_total: int
    notes: tuple[str, ...]
    currency: str = ""
    tax_point: date | None = None
    seller_country: str = ""
    buyer_country: str = ""
