"""VAT identification numbers: normalise and check them offline (python-stdnum).

Types are Stripe's tax id types. Normalised forms (what ``value`` holds on a ``tax_id``):

=========  ==========================  =============================================
type       normalised                  check
=========  ==========================  =============================================
eu_vat     ``DE136695976``             country prefix (``EL`` for Greece, ``XI`` for
                                       Northern Ireland) + the member state's checksum
ch_vat     ``CHE-113.398.497 MWST``    UID checksum; suffix MWST/TVA/IVA kept (MWST
                                       when none was given)
gb_vat     ``GB980780684``             HMRC mod-97 checksum
no_vat     ``995525828MVA``            organisation number mod-11 + ``MVA``
=========  ==========================  =============================================

A checksum-valid number may still be unregistered: only a VIES lookup (the
``VatIdChecker`` port) says whether it is in use.
"""

from __future__ import annotations

from enum import StrEnum

from stdnum.ch import vat as ch_vat
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.gb import vat as gb_vat
from stdnum.no import mva as no_vat

from payments.tax.domain.errors import InvalidVatId, UnsupportedTaxIdType


class TaxIdType(StrEnum):
    EU_VAT = "eu_vat"
    CH_VAT = "ch_vat"
    GB_VAT = "gb_vat"
    NO_VAT = "no_vat"


_CH_SUFFIXES = ("MWST", "TVA", "IVA")
# VAT id prefixes that differ from ISO 3166: Greece uses EL, Northern Ireland XI (UK).
_PREFIX_COUNTRY = {"EL": "GR", "XI": "GB"}


def _invalid(type_: TaxIdType, value: str) -> InvalidVatId:
    return InvalidVatId(f"Invalid value for {type_.value}: {value!r}", param="value")


def tax_id_type(type: str) -> TaxIdType:
    try:
        return TaxIdType(type)
    except ValueError:
        allowed = ", ".join(t.value for t in TaxIdType)
        raise UnsupportedTaxIdType(
            f"Invalid type: {type!r} (one of {allowed})", param="type"
        ) from None


def normalize_vat_id(type: str, value: str) -> str:
    """The normalised form of ``value`` as a ``type`` tax id, or :class:`InvalidVatId`
    (400 ``tax_id_invalid``, param ``value``); an unknown type is a 400 naming ``type``."""
    kind = tax_id_type(type)
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        raise _invalid(kind, str(value))
    try:
        match kind:
            case TaxIdType.EU_VAT:
                return str(eu_vat.validate(value))
            case TaxIdType.CH_VAT:
                compact = str(ch_vat.compact(value))
                if not compact.endswith(_CH_SUFFIXES):
                    compact += "MWST"
                return str(ch_vat.format(ch_vat.validate(compact)))
            case TaxIdType.GB_VAT:
                return "GB" + str(gb_vat.validate(value))
            case TaxIdType.NO_VAT:
                compact = str(no_vat.compact(value))
                if not compact.endswith("MVA"):
                    compact += "MVA"
                return str(no_vat.validate(compact))
    except ValidationError:
        raise _invalid(kind, value) from None
    raise UnsupportedTaxIdType(f"Invalid type: {type!r}", param="type")  # pragma: no cover


def vat_id_type(vat_id: str) -> TaxIdType:
    """The type of a normalised VAT id (by its shape)."""
    if vat_id.startswith("CHE"):
        return TaxIdType.CH_VAT
    if vat_id.endswith("MVA") and vat_id[:1].isdigit():
        return TaxIdType.NO_VAT
    if vat_id.startswith("GB"):
        return TaxIdType.GB_VAT
    return TaxIdType.EU_VAT


def vat_id_country(vat_id: str) -> str:
    """The ISO 3166 country of a normalised VAT id (``EL…`` is GR, ``XI…`` GB)."""
    match vat_id_type(vat_id):
        case TaxIdType.CH_VAT:
            return "CH"
        case TaxIdType.NO_VAT:
            return "NO"
        case TaxIdType.GB_VAT:
            return "GB"
        case TaxIdType.EU_VAT:
            prefix = vat_id[:2].upper()
            return _PREFIX_COUNTRY.get(prefix, prefix)


def check_vat_id(vat_id: str, *, param: str = "vat_id") -> str:
    """Re-check a normalised VAT id of any type; returns it in normalised form."""
    try:
        normalised = normalize_vat_id(vat_id_type(vat_id), vat_id)
    except InvalidVatId:
        raise InvalidVatId(f"Invalid VAT id: {vat_id!r}", param=param) from None
    return normalised
