"""The JSON of a legal entity, for responses and event payloads alike."""

from __future__ import annotations

from typing import Any

from payments.kernel.clock import to_unix
from payments.legal_entities.domain import LegalEntity


def legal_entity_object(e: LegalEntity) -> dict[str, Any]:
    return {
        "id": e.id,
        "object": "legal_entity",
        "legal_name": e.legal_name,
        "address": e.address,
        "vat_id": e.vat_id,
        "tax_number": e.tax_number,
        "registration_number": e.registration_number,
        "iban": e.iban,
        "bic": e.bic,
        "email": e.email,
        "phone": e.phone,
        "invoice_footer": e.invoice_footer,
        "logo": e.logo,
        "invoice_prefix": e.invoice_prefix,
        "invoice_number_pattern": e.invoice_number_pattern,
        "credit_note_number_pattern": e.credit_note_number_pattern,
        "retention_years": e.retention_years,
        "metadata": e.metadata,
        "created": to_unix(e.created),
        "livemode": e.livemode,
    }
