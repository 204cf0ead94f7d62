"""The tax engine's errors: all are bad input, so all are kernel ``InvalidRequest`` (400)::

InvalidRequest (kernel)
 ├── UnknownTaxRate          tax_rate_unknown: no rate for (country, category, date)
 ├── InvalidVatId            tax_id_invalid: format or checksum wrong (param ``value``)
 ├── UnsupportedTaxIdType    parameter_invalid: not eu_vat/ch_vat/gb_vat/no_vat (``type``)
 ├── ExemptionReasonMissing  tax_exemption_reason_missing: an exempt line without reason
 └── MixedTaxBehavior        tax_behavior_mixed: inclusive and exclusive lines together

ValueError
 └── RateTableError          the packaged rate file is inconsistent (a bug, at load time)
"""

from __future__ import annotations

from payments.kernel.errors import InvalidRequest


class UnknownTaxRate(InvalidRequest):
    default_code = "tax_rate_unknown"


class InvalidVatId(InvalidRequest):
    default_code = "tax_id_invalid"


class UnsupportedTaxIdType(InvalidRequest):
    default_code = "parameter_invalid"


class ExemptionReasonMissing(InvalidRequest):
    default_code = "tax_exemption_reason_missing"


class MixedTaxBehavior(InvalidRequest):
    default_code = "tax_behavior_mixed"


class RateTableError(ValueError):
    """The VAT rate data file breaks a rule (overlap, gap, bad value); raised when loaded."""
