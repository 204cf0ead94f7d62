"""``expand[]``: replace the ids of related objects in rendered objects by the objects.

Stripe's expandable fields of the objects here: a PaymentIntent's ``latest_charge``,
``customer``, ``payment_method`` and ``invoice``; a charge's ``customer``,
``payment_intent``; a refund's or dispute's ``charge`` and ``payment_intent``; a payment
method's ``customer``; and, for capabilities above this one, whatever they name
(an invoice's ``default_payment_method``). Lists take them as ``data.<field>``. An
object the key may not see stays an id.

Objects of a capability above payments (an invoice) are shown by a loader it registers
with :func:`register_expansion` (from :func:`payments.app.capabilities.install`), so
this module never imports it; with no loader registered the field stays an id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from starlette.responses import Response

from payments.customers.render import customer_object
from payments.intents.render import charge_object, payment_intent_object, payment_method_object
from payments.intents.service.related import Kind, load_related
from payments.kernel.access import Permission
from payments.kernel.context import RequestContext
from payments.kernel.pagination import Page
from payments.platform.db.uow import UnitOfWorkFactory
from payments.platform.http.responses import json_response, list_object

FIELD_KINDS: dict[str, Kind] = {
    "latest_charge": "charge",
    "charge": "charge",
    "customer": "customer",
    "payment_intent": "payment_intent",
    "payment_method": "payment_method",
    "default_payment_method": "payment_method",
}


class ExpansionLoader(Protocol):
    async def __call__(
        self, ids: Sequence[str], *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
    ) -> dict[str, dict[str, Any]]:
        """The rendered objects among ``ids`` that ``ctx``'s key may see, by id."""


_LOADERS: dict[str, ExpansionLoader] = {}


def register_expansion(field: str, loader: ExpansionLoader) -> None:
    """Show the objects a higher capability owns where ``field`` names them."""
    _LOADERS[field] = loader


def shows_client_secret(ctx: RequestContext) -> bool:
    """A PaymentIntent's client_secret goes to keys that may act on payments."""
    return ctx.principal.can(Permission.write_payments)


def render_payment_intent(ctx: RequestContext) -> Callable[[Any], dict[str, Any]]:
    secret = shows_client_secret(ctx)
    return lambda pi: payment_intent_object(pi, client_secret=secret)


def _renderer(kind: Kind, ctx: RequestContext) -> Callable[[Any], dict[str, Any]]:
    match kind:
        case "charge":
            return charge_object
        case "customer":
            return customer_object
        case "payment_intent":
            return render_payment_intent(ctx)
        case "payment_method":
            return payment_method_object


async def expand(
    objects: list[dict[str, Any]],
    fields: Iterable[str],
    *,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> list[dict[str, Any]]:
    """Expand ``fields`` of every object in place (one look-up per distinct id)."""
    for field in fields:
        ids = [o[field] for o in objects if isinstance(o.get(field), str)]
        if not ids:
            continue
        kind = FIELD_KINDS.get(field)
        if kind is None:
            loader = _LOADERS.get(field)
            if loader is None:
                continue  # no capability shows this field's objects: they stay ids
            rendered = await loader(ids, uow_factory=uow_factory, ctx=ctx)
        else:
            found = await load_related(kind, ids, uow_factory=uow_factory, ctx=ctx)
            render = _renderer(kind, ctx)
            rendered = {object_id: render(obj) for object_id, obj in found.items()}
        for o in objects:
            value = o.get(field)
            if isinstance(value, str) and value in rendered:
                o[field] = rendered[value]
    return objects


async def expanded_response(
    obj: dict[str, Any],
    fields: Iterable[str],
    *,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> Response:
    await expand([obj], fields, uow_factory=uow_factory, ctx=ctx)
    return json_response(obj)


async def expanded_list_response(
    url: str,
    page: Page[Any],
    render: Callable[[Any], dict[str, Any]],
    fields: Iterable[str],
    *,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> Response:
    data = [render(o) for o in page.data]
    await expand(data, fields, uow_factory=uow_factory, ctx=ctx)
    return json_response(list_object(url, data, page.has_more))
