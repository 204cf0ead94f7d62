"""The simulator's fee model, in integer minor units (no floats anywhere).

A fee is ``percentage of the amount + a fixed part``:

==========================  ===========  ==================================
payment method              percentage   fixed part (major units)
==========================  ===========  ==================================
card issued in the EEA      1.50 %       0.25
card issued in GB           2.50 %       0.25
any other card              3.25 %       0.25
sepa_debit                  --           0.35
customer_balance            --           0.00
ideal                       --           0.29
bancontact, eps, blik       1.40 %       0.25
p24                         2.20 %       0.30
twint                       1.90 %       0.30
swish                       1.50 %       1.00
klarna                      2.99 %       0.35
a dispute (any method)      --           15.00
==========================  ===========  ==================================

Both parts are rounded separately with **ROUND_HALF_UP** to a whole minor unit
of the charge currency: the percentage on ``amount * basis_points / 10_000``,
the fixed part on ``hundredths * 10**exponent / 100`` (so 0.25 is 25 cents,
0 yen, 250 fils). A card fee is charged on the captured amount. The local methods'
fees are in the shape of Stripe's local payment method pricing (a percentage and a fixed
part in the charge's currency); the simulator does not track its price list.
"""

from __future__ import annotations

from dataclasses import dataclass

from payments.kernel.money import exponent

EEA_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)


@dataclass(frozen=True, slots=True)
class FeeRule:
    basis_points: int  # 1 bp = 0.01 %
    fixed_hundredths: int  # fixed part in hundredths of a major unit


CARD_EEA = FeeRule(150, 25)
CARD_GB = FeeRule(250, 25)
CARD_INTERNATIONAL = FeeRule(325, 25)
SEPA_DEBIT = FeeRule(0, 35)
CUSTOMER_BALANCE = FeeRule(0, 0)
LOCAL_METHODS: dict[str, FeeRule] = {
    "ideal": FeeRule(0, 29),
    "bancontact": FeeRule(140, 25),
    "eps": FeeRule(140, 25),
    "blik": FeeRule(140, 25),
    "p24": FeeRule(220, 30),
    "twint": FeeRule(190, 30),
    "swish": FeeRule(150, 100),
    "klarna": FeeRule(299, 35),
}
# Withdrawn with the disputed amount when a dispute opens; kept even if it is won.
DISPUTE = FeeRule(0, 1500)


def round_half_up(numerator: int, denominator: int) -> int:
    """ROUND_HALF_UP of a non-negative fraction, in integers."""
    if numerator < 0 or denominator <= 0:
        raise ValueError("round_half_up takes a non-negative fraction")
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (1 if 2 * remainder >= denominator else 0)


def rule_for(method_type: str, card_country: str | None = None) -> FeeRule:
    if method_type == "sepa_debit":
        return SEPA_DEBIT
    if method_type == "customer_balance":
        return CUSTOMER_BALANCE
    if method_type in LOCAL_METHODS:
        return LOCAL_METHODS[method_type]
    if card_country in EEA_COUNTRIES:
        return CARD_EEA
    if card_country == "GB":
        return CARD_GB
    return CARD_INTERNATIONAL


def fee_for(amount: int, currency: str, rule: FeeRule) -> int:
    percentage = round_half_up(amount * rule.basis_points, 10_000)
    fixed = round_half_up(rule.fixed_hundredths * 10 ** exponent(currency), 100)
    return percentage + fixed
