"""The dashboard's German catalogue: complete and compiled."""

from __future__ import annotations

from payments.billing.domain.model import SubscriptionStatus
from payments.dashboard import i18n
from payments.fraud.domain.model import RiskLevel
from payments.intents.domain.payment_intent import PaymentIntentStatus
from payments.kernel.access import Role
from payments.refunds.domain.refund import Reason, RefundStatus

PO = i18n.LOCALE_DIR / "de" / "LC_MESSAGES" / "dashboard.po"


def test_every_text_of_the_pages_has_a_german_translation() -> None:
    german = i18n.translations("de")
    shown_as_values = {r.value for r in Role} | {s.value for s in PaymentIntentStatus}
    shown_as_values |= {s.value for s in RefundStatus} | {r.value for r in Reason}
    shown_as_values |= {s.value for s in SubscriptionStatus} | {r.value for r in RiskLevel}
    missing = sorted(
        m
        for m in i18n.extract_messages() | shown_as_values
        if german.gettext(m) == m and m not in {"ID", "Name", "Status", "URL"}
    )
    assert missing == []


def test_the_compiled_catalogue_is_fresh() -> None:
    assert PO.with_suffix(".mo").read_bytes() == i18n.compiled(PO, "de"), (
        "run python -m payments.dashboard.i18n"
    )


def test_amounts_and_languages() -> None:
    assert i18n.money(12_500, "eur", "en") == "€125.00"
    assert i18n.money(12_500, "eur", "de") == "125,00\xa0€"
    assert i18n.money(500, "jpy", "de") == "500\xa0¥"
    assert i18n.negotiate(None, "de-CH,de;q=0.9,en;q=0.8") == "de"
    assert i18n.negotiate("en", "de") == "en"
    assert i18n.negotiate(None, "fr") == "en"
