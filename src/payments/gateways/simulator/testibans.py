"""Stripe's published SEPA Direct Debit test IBANs and test PaymentMethod ids.

From Stripe's "Accept a SEPA Direct Debit payment" guide. Every debit starts
``processing`` and settles (or bounces) after the simulator's
``sepa_settlement_delay`` (3 days by default); the "delayed" IBANs take
``sepa_delayed_extra`` (3 minutes, as at Stripe) longer. The two limit IBANs
fail at once (Stripe checks its limits before submitting the debit).

=========================  ==========================  ==============================
scenario                   test PaymentMethod id       outcome
=========================  ==========================  ==============================
``succeed``                ``pm_success_<cc>``         processing -> succeeded
``succeed_delayed``        ``pm_successDelayed_<cc>``  same, 3 minutes later
``fail``                   ``pm_failed_<cc>``          processing -> failed
``fail_delayed``           ``pm_failedDelayed_<cc>``   same, 3 minutes later
``dispute``                ``pm_disputed_<cc>``        succeeded, then disputed
``exceeds_volume_limit``   ``pm_exceedsWeeklyVolumeLimit_<cc>``       failed at once
``exceeds_txn_limit``      ``pm_exceedsWeeklyTransactionLimit_<cc>``  failed at once
``insufficient_funds``     ``pm_insufficientFunds_<cc>``  processing -> failed
=========================  ==========================  ==============================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from payments.gateways.protocol import Decline

SepaScenario = Literal[
    "succeed",
    "succeed_delayed",
    "fail",
    "fail_delayed",
    "dispute",
    "exceeds_volume_limit",
    "exceeds_txn_limit",
    "insufficient_funds",
]
_ORDER: tuple[tuple[SepaScenario, str], ...] = (
    ("succeed", "success"),
    ("succeed_delayed", "successDelayed"),
    ("fail", "failed"),
    ("fail_delayed", "failedDelayed"),
    ("dispute", "disputed"),
    ("exceeds_volume_limit", "exceedsWeeklyVolumeLimit"),
    ("exceeds_txn_limit", "exceedsWeeklyTransactionLimit"),
    ("insufficient_funds", "insufficientFunds"),
)
# Per country, the IBANs in the order of _ORDER.
_TABLE: Mapping[str, tuple[str | None, ...]] = {
    "AT": (
        "AT611904300234573201",
        "AT321904300235473204",
        "AT861904300235473202",
        "AT051904300235473205",
        "AT591904300235473203",
        "AT981904300000343434",
        "AT601904300000121212",
        "AT981904300002222227",
    ),
    "BE": (
        "BE62510007547061",
        "BE78510007547064",
        "BE68539007547034",
        "BE51510007547065",
        "BE08510007547063",
        "BE90510000343434",
        "BE52510000121212",
        "BE90510002222227",
    ),
    "DE": (
        "DE89370400440532013000",
        "DE08370400440532013003",
        "DE62370400440532013001",
        "DE78370400440532013004",
        "DE35370400440532013002",
        "DE65370400440000343434",
        "DE27370400440000121212",
        "DE65370400440002222227",
    ),
    "FR": (
        "FR1420041010050500013M02606",
        "FR3020041010050500013M02609",
        "FR8420041010050500013M02607",
        "FR7920041010050500013M02600",
        "FR5720041010050500013M02608",
        "FR9720041010050000000343434",
        "FR5920041010050000000121212",
        "FR9720041010050000002222227",
    ),
    "IE": (
        "IE29AIBK93115212345678",
        "IE24AIBK93115212345671",
        "IE02AIBK93115212345679",
        "IE94AIBK93115212345672",
        "IE51AIBK93115212345670",
        "IE10AIBK93115200343434",
        "IE69AIBK93115200121212",
        "IE10AIBK93115202222227",
    ),
    "NL": (
        "NL39RABO0300065264",
        "NL55RABO0300065267",
        "NL91ABNA0417164300",
        "NL28RABO0300065268",
        "NL82RABO0300065266",
        "NL27RABO0000343434",
        "NL86RABO0000121212",
        None,  # Stripe's table lists NL55RABO0300065267 again (already successDelayed)
    ),
    "ES": (
        "ES0700120345030000067890",
        "ES2300120345030000067893",
        "ES9121000418450200051332",
        "ES9300120345030000067894",
        "ES5000120345030000067892",
        "ES1700120345000000343434",
        "ES7600120345000000121212",
        "ES1700120345000002222227",
    ),
    "PT": (
        "PT50000201231234567890154",
        "PT66000201231234567890157",
        "PT23000201231234567890155",
        "PT39000201231234567890158",
        "PT93000201231234567890156",
        "PT05000201230000000343434",
        "PT64000201230000000121212",
        "PT05000201230000002222227",
    ),
}


@dataclass(frozen=True, slots=True)
class SimIban:
    iban: str
    country: str
    scenario: SepaScenario
    pm_id: str


IBANS: tuple[SimIban, ...] = tuple(
    SimIban(iban, country, scenario, f"pm_{token}_{country.lower()}")
    for country, ibans in _TABLE.items()
    for (scenario, token), iban in zip(_ORDER, ibans, strict=True)
    if iban is not None
)
IBANS_BY_NUMBER: Mapping[str, SimIban] = {entry.iban: entry for entry in IBANS}
IBANS_BY_PM_ID: Mapping[str, SimIban] = {entry.pm_id: entry for entry in IBANS}

SEPA_FAILURES: Mapping[SepaScenario, Decline] = {
    "fail": Decline(code="generic_decline", message="The customer's bank declined the debit."),
    "fail_delayed": Decline(
        code="generic_decline", message="The customer's bank declined the debit."
    ),
    "insufficient_funds": Decline(
        code="insufficient_funds", message="The customer's account has insufficient funds."
    ),
    "exceeds_volume_limit": Decline(
        code="charge_exceeds_source_limit",
        message="This payment would exceed the weekly SEPA Direct Debit volume limit.",
    ),
    "exceeds_txn_limit": Decline(
        code="charge_exceeds_weekly_limit",
        message="This payment exceeds the SEPA Direct Debit transaction limit.",
    ),
}
FAILS_AT_ONCE: frozenset[SepaScenario] = frozenset({"exceeds_volume_limit", "exceeds_txn_limit"})


def normalize_iban(iban: str) -> str:
    return "".join(iban.split()).upper()
