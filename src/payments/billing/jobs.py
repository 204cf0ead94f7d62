"""The renewal worker: subscriptions on the real clock with an action due (a renewal, a
trial end, a dunning retry, an expiry, a started renewal to finish) are claimed with a
lease and run (:func:`payments.billing.service.renewals.renew_due`)."""

from __future__ import annotations

from typing import Any

from payments.billing.service.common import billing_of
from payments.billing.service.renewals import renew_due
from payments.platform.worker import job


@job("renew_subscriptions", every_seconds=10)
async def renew_subscriptions(container: Any) -> int:
    return await renew_due(billing_of(container))
