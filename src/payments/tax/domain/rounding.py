"""Rounding, named where it happens. Amounts are integer minor units of the currency, so
"to the currency's minor unit" means "to an integer" here (EUR cents, JPY yen, KWD fils).

* ``round_half_up``: ROUND_HALF_UP, ties away from zero (EN 16931 rounds half up; away
  from zero keeps a credit note the exact negative of its invoice).
* ``tax_on``: VAT of a group = taxable * rate / 100, rounded once (per group, never per line).
* ``net_from_gross``: *gross-preserving back-calculation* for inclusive prices: the net N of
  a gross G such that N + tax_on(N) = G exactly, the candidate nearest G * 100 / (100 + r);
  where none exists (N + tax_on(N) rises by 2 whenever tax_on rises by 1, so it can skip G)
  N = round_half_up(G * 100 / (100 + r)) and the tax is G - N, one minor unit off
  tax_on(N) (within EN 16931's BR-CO-17 tolerance). The gross the customer was quoted is
  always kept.
* ``allocate``: split a group's derived net over its inclusive lines: each line's own
  back-calculated net, then the group's remainder one unit at a time to the lines with the
  largest absolute gross (ties: earlier line), so the lines sum to the group exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def tax_on(net: int, rate: Decimal) -> int:
    return round_half_up(Decimal(net) * rate / HUNDRED)


def net_from_gross(gross: int, rate: Decimal) -> int:
    if rate == 0:
        return gross
    exact = Decimal(gross) * HUNDRED / (HUNDRED + rate)
    nearest = round_half_up(exact)
    candidates = sorted(range(nearest - 2, nearest + 3), key=lambda n: (abs(n - exact), abs(n)))
    for net in candidates:
        if net + tax_on(net, rate) == gross:
            return net
    return nearest


def allocate(total: int, grosses: Sequence[int], rate: Decimal) -> list[int]:
    """Nets of inclusive lines with these grosses, summing to ``total`` exactly."""
    nets = [net_from_gross(g, rate) for g in grosses]
    remainder = total - sum(nets)
    if not nets:
        return nets
    step = 1 if remainder > 0 else -1
    order = sorted(range(len(nets)), key=lambda i: (-abs(grosses[i]), i))
    i = 0
    while remainder:
        nets[order[i % len(order)]] += step
        remainder -= step
        i += 1
    return nets
