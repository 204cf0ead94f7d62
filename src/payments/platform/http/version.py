"""The API's version, named by its date as Stripe's are.

There is one version of this API. A ``Stripe-Version`` request header (every Stripe SDK
sends the version it was generated for) is accepted whatever date it names, changes
nothing, and is echoed in the response's ``Stripe-Version`` header; without one, the
response names :data:`API_VERSION`. A value that is not a date is refused (400).
"""

from __future__ import annotations

import re

from payments.kernel.version import API_VERSION

__all__ = ["API_VERSION", "valid_stripe_version"]

_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(\.[A-Za-z0-9_-]{1,40})?$")


def valid_stripe_version(value: str) -> bool:
    return _VERSION.match(value) is not None
