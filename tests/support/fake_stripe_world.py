"""The fake Stripe's state and rules: PaymentIntents, card flows, disputes, events.

Refunds and account objects are in :mod:`.fake_stripe_account`, SEPA Direct Debit and
bank transfers in :mod:`.fake_stripe_bank`.

Test cards and IBANs behave as in Stripe test mode, by the same tables the
simulator uses (:mod:`payments.gateways.simulator.testdata`,
``testibans``). Money is in Stripe's units throughout. Every rule error is a
:class:`ApiError` carrying Stripe's HTTP status and error body.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from payments.gateways.protocol import Decline
from payments.gateways.simulator.fees import round_half_up, rule_for
from payments.gateways.simulator.testdata import DECLINES, SCENARIOS, card_for_pm_id
from payments.gateways.simulator.testibans import IBANS_BY_NUMBER
from payments.locations.domain.payment_methods import LOCAL_METHODS

from . import fake_stripe_objects as o
from .fake_stripe_bank import BankMethods
from .fake_stripe_errors import ApiError, invalid, missing, unexpected_state
from .fake_stripe_local import LocalMethods
from .fake_stripe_params import boolean, integer

Obj = dict[str, Any]


class World(BankMethods, LocalMethods):
    """All objects by id, the hidden scenario of each, and the event log (oldest first)."""

    def __init__(self) -> None:
        self.objects: dict[str, Obj] = {}
        self.hidden: dict[str, Obj] = {}
        self.events: list[Obj] = []
        self.idempotency_key: str | None = None  # of the request being processed
        # the account's settlement currency, when charges in others are converted into it:
        # (currency, units of it per unit of the charge's currency, as num/den)
        self.settlement: tuple[str, int, int] | None = None

    # ------------------------------------------------------------------ basics

    def put(self, obj: Obj, **hidden: Any) -> Obj:
        self.objects[obj["id"]] = obj
        self.hidden.setdefault(obj["id"], {}).update(hidden)
        return obj

    def get(self, ident: str, kind: str, param: str = "id") -> Obj:
        obj = self.objects.get(ident)
        if obj is None or obj.get("object") != kind:
            raise missing(kind, ident, param)
        return obj

    def count(self, kind: str) -> int:
        return sum(1 for obj in self.objects.values() if obj.get("object") == kind)

    def emit(self, kind: str, obj: Obj) -> None:
        self.events.append(o.event(kind, self.render(obj), self.idempotency_key))

    def render(self, obj: Obj, expand: list[str] | tuple[str, ...] = ()) -> Obj:
        out = copy.deepcopy(obj)
        if obj.get("object") == "payment_intent":
            if "payment_method" in expand and obj.get("payment_method"):
                out["payment_method"] = copy.deepcopy(self.objects[obj["payment_method"]])
            latest = obj.get("latest_charge")
            if latest and any(e.startswith("latest_charge") for e in expand):
                ch = out["latest_charge"] = copy.deepcopy(self.objects[latest])
                txn = ch.get("balance_transaction")
                if txn and "latest_charge.balance_transaction" in expand:
                    ch["balance_transaction"] = copy.deepcopy(self.objects[txn])
        return out

    # ------------------------------------------------------------------ payment methods

    def payment_method(self, ident: str, param: str = "payment_method") -> Obj:
        if ident in self.objects:
            return self.get(ident, "payment_method", param)
        found = card_for_pm_id(ident)
        if found is None:
            raise missing("PaymentMethod", ident, param)
        card, wallet = found
        pm = o.card_payment_method(ident, card.number, card.brand, card.country, card.funding)
        if wallet:
            pm["card"]["wallet"] = {"type": wallet, "dynamic_last4": None, wallet: {}}
        return self.put(pm, scenario=card.scenario)

    def attachable(self, ident: str) -> Obj:
        """A test PaymentMethod id is cloned into a new PaymentMethod, as Stripe does."""
        pm = self.payment_method(ident)
        if pm["id"] in self.objects and not pm["id"].startswith("pm_card_"):
            return pm
        clone = copy.deepcopy(pm)
        clone.update(id=o.new_id("pm"), created=o.now())
        return self.put(clone, **self.hidden[pm["id"]])

    def create_payment_method(self, params: Obj) -> Obj:
        kind = params.get("type")
        billing = params.get("billing_details") or {}
        if kind == "card":
            raise invalid(
                "Sending credit card numbers directly to the Stripe API is generally unsafe.",
                code="card_data_unsafe",
            )
        if kind == "sepa_debit":
            iban = "".join(((params.get("sepa_debit") or {}).get("iban") or "").split()).upper()
            if not _iban_ok(iban):
                raise invalid(
                    "The IBAN you provided is invalid.",
                    code="invalid_bank_account_iban",
                    param="sepa_debit[iban]",
                )
            entry = IBANS_BY_NUMBER.get(iban)
            pm = o.sepa_payment_method(iban, billing.get("name"), billing.get("email"))
            pm["metadata"] = dict(params.get("metadata") or {})
            return self.put(pm, scenario=entry.scenario if entry else "succeed")
        if kind == "customer_balance":
            return self.put(o.customer_balance_payment_method(dict(params.get("metadata") or {})))
        if kind in LOCAL_METHODS:
            return self.create_local_payment_method(kind, params)
        raise invalid(f"Invalid type: {kind}", code="parameter_invalid", param="type")

    # ------------------------------------------------------------------ payment intents

    def create_payment_intent(self, params: Obj) -> Obj:
        amount = integer(params, "amount", required=True) or 0
        currency = params.get("currency") or ""
        if not re.fullmatch(r"[a-z]{3}", currency):
            raise invalid(
                f"Invalid currency: {currency}", code="parameter_invalid", param="currency"
            )
        _check_amount(amount, currency)
        if params.get("customer"):
            self.get(params["customer"], "customer", "customer")
        types = list(params.get("payment_method_types") or ["card"])
        local = self.objects.get(params.get("payment_method") or "")
        if local is not None and local["type"] in LOCAL_METHODS and boolean(params, "confirm"):
            self.check_local_confirm(local, params, currency)  # refused: nothing is stored
        pi = self.put(o.payment_intent(params, amount, currency, types))
        if (params.get("automatic_payment_methods") or {}).get("enabled") == "true":
            pi["automatic_payment_methods"] = {"enabled": True, "allow_redirects": "always"}
        if params.get("payment_method"):
            pi["payment_method"] = self.attachable(params["payment_method"])["id"]
            pi["status"] = "requires_confirmation"
        if not boolean(params, "confirm"):
            return pi
        if not pi["payment_method"]:
            raise unexpected_state(pi, "confirmed")
        pi = self._confirm(pi, params)
        card_error = self.hidden[pi["id"]].pop("card_error", None)
        if card_error is not None:
            raise ApiError(402, card_error)  # processed: the failed attempt is stored
        return pi

    def _confirm(self, pi: Obj, params: Obj) -> Obj:
        pm = self.objects[pi["payment_method"]]
        if pm["type"] not in pi["payment_method_types"]:
            raise invalid(
                f"The PaymentMethod of type {pm['type']} is not allowed by payment_method_types.",
                code="payment_intent_incompatible_payment_method",
                param="payment_method",
            )
        off_session = boolean(params, "off_session")
        card_options = (params.get("payment_method_options") or {}).get("card") or {}
        self.hidden[pi["id"]].update(
            off_session=off_session,
            return_url=params.get("return_url"),
            incremental=card_options.get("request_incremental_authorization") == "if_available",
        )
        scenario = self.hidden[pm["id"]].get("scenario", "succeed")
        if pm["type"] == "sepa_debit":
            return self._start_sepa(pi, params, off_session)
        if pm["type"] == "customer_balance":
            return self._start_bank_transfer(pi, params)
        if pm["type"] in LOCAL_METHODS:
            return self.start_local(pi, pm, params)
        behaviour = SCENARIOS[scenario]
        if behaviour.decline is not None:
            return self.decline(pi, behaviour.decline)
        asks = behaviour.three_ds in ("always", "unless_setup") or (
            behaviour.three_ds == "setup_for_off_session" and not off_session
        )
        if asks and off_session:
            return self.decline(pi, DECLINES["authentication_required"])
        if asks:
            return self._require_action(pi)
        return self.authorize(pi)

    def _require_action(self, pi: Obj) -> Obj:
        return_url = self.hidden[pi["id"]].get("return_url")
        if return_url:
            url = f"https://hooks.stripe.com/3d_secure_2/hosted?payment_intent={pi['id']}"
            action = {
                "type": "redirect_to_url",
                "redirect_to_url": {"url": url, "return_url": return_url},
            }
        else:
            action = {
                "type": "use_stripe_sdk",
                "use_stripe_sdk": {"type": "three_d_secure_redirect"},
            }
        pi.update(status="requires_action", next_action=action)
        self.emit("payment_intent.requires_action", pi)
        return pi

    def _new_charge(self, pi: Obj, status: str) -> Obj:
        ch = self.put(o.charge(pi, self.objects[pi["payment_method"]], status))
        pi["latest_charge"] = ch["id"]
        return ch

    def decline(self, pi: Obj, decline: Decline) -> Obj:
        """A failed attempt: the intent goes back to requires_payment_method (HTTP 402)."""
        ch = self._new_charge(pi, "failed")
        decline_code = decline.decline_code or (
            None if decline.code == "card_declined" else decline.code
        )
        ch.update(failure_code=decline.code, failure_message=decline.message)
        ch["outcome"].update(
            reason=decline_code, type="issuer_declined", network_status="declined_by_network"
        )
        pm = self.objects[pi["payment_method"]]
        error = o.error_body(
            "card_error", decline.message, code=decline.code, decline_code=decline_code
        )["error"]
        pi.update(
            status="requires_payment_method",
            next_action=None,
            last_payment_error={**error, "payment_method": copy.deepcopy(pm)},
        )
        self.emit("charge.failed", ch)
        self.emit("payment_intent.payment_failed", pi)
        body = {"error": {**error, "charge": ch["id"], "payment_intent": self.render(pi)}}
        body["error"]["payment_method"] = copy.deepcopy(pm)
        self.hidden[pi["id"]]["card_error"] = body
        return pi

    def authorize(self, pi: Obj) -> Obj:
        ch = self._new_charge(pi, "succeeded")
        pi.update(next_action=None, last_payment_error=None)
        if pi["capture_method"] == "manual":
            pi.update(status="requires_capture", amount_capturable=pi["amount"])
            if ch["payment_method_details"]["type"] == "card":
                scenario = self.hidden[pi["payment_method"]].get("scenario", "succeed")
                available = (
                    self.hidden[pi["id"]].get("incremental")
                    and SCENARIOS[scenario].incremental != "none"
                )
                ch["payment_method_details"]["card"]["incremental_authorization"] = {
                    "status": "available" if available else "unavailable"
                }
            self.emit("charge.succeeded", ch)
            self.emit("payment_intent.amount_capturable_updated", pi)
            return pi
        self._capture(pi, ch, pi["amount"])
        self.emit("charge.succeeded", ch)
        self.emit("payment_intent.succeeded", pi)
        reason = SCENARIOS[
            self.hidden[ch["payment_method"]].get("scenario", "succeed")
        ].dispute_reason
        if reason:
            self.open_dispute(pi["id"], reason)
        return pi

    def _capture(self, pi: Obj, ch: Obj, amount: int) -> None:
        pm = self.objects[ch["payment_method"]]
        rule = rule_for(pm["type"], (pm.get("card") or {}).get("country"))
        currency, settled, rate = pi["currency"], amount, None
        if self.settlement is not None and self.settlement[0] != currency:
            currency, num, den = self.settlement  # converted, the fee taken in it (as Stripe)
            num *= 10 ** o.stripe_exponent(currency)
            den *= 10 ** o.stripe_exponent(pi["currency"])
            settled, rate = (
                round_half_up(amount * num, den),
                self.settlement[1] / self.settlement[2],
            )
        fee = round_half_up(settled * rule.basis_points, 10_000) + round_half_up(
            rule.fixed_hundredths * 10 ** o.stripe_exponent(currency), 100
        )
        txn = self.put(
            o.balance_transaction(ch, settled, fee, currency=currency, exchange_rate=rate)
        )
        ch.update(captured=True, amount_captured=amount, paid=True, balance_transaction=txn["id"])
        pi.update(status="succeeded", amount_capturable=0, amount_received=amount)

    def capture(self, pi_id: str, params: Obj) -> Obj:
        pi = self.get(pi_id, "payment_intent", "intent")
        if pi["status"] != "requires_capture":
            raise unexpected_state(pi, "captured")
        amount = integer(params, "amount_to_capture")
        amount = pi["amount_capturable"] if amount is None else amount
        if amount > pi["amount_capturable"] or amount <= 0:
            raise invalid(
                "The amount_to_capture must be at most the amount_capturable.",
                code="amount_too_large",
                param="amount_to_capture",
            )
        ch = self.objects[pi["latest_charge"]]
        self._capture(pi, ch, amount)
        self.emit("charge.captured", ch)
        self.emit("payment_intent.succeeded", pi)
        return pi

    def increment_authorization(self, pi_id: str, params: Obj) -> Obj:
        """Stripe's incremental authorization: ``amount`` is the new total of the hold."""
        pi = self.get(pi_id, "payment_intent", "intent")
        if pi["status"] != "requires_capture":
            raise unexpected_state(pi, "incremented")
        ch = self.objects[pi["latest_charge"]]
        card = ch["payment_method_details"].get("card") or {}
        if (card.get("incremental_authorization") or {}).get("status") != "available":
            raise invalid(
                "This PaymentIntent is not eligible for incremental authorization.",
                code="payment_intent_unexpected_state",
            )
        amount = integer(params, "amount", required=True) or 0
        if amount <= pi["amount_capturable"]:
            raise invalid(
                "The amount must be greater than the amount currently authorized.",
                code="parameter_invalid_integer",
                param="amount",
            )
        scenario = self.hidden[pi["payment_method"]].get("scenario", "succeed")
        if SCENARIOS[scenario].incremental == "declines":
            error = o.error_body(
                "card_error",
                "Your card has insufficient funds.",
                code="card_declined",
                decline_code="insufficient_funds",
            )["error"]
            raise ApiError(402, {"error": {**error, "payment_intent": self.render(pi)}})
        pi.update(amount=amount, amount_capturable=amount)
        ch.update(amount=amount)
        self.emit("payment_intent.amount_capturable_updated", pi)
        return pi

    def cancel(self, pi_id: str, params: Obj) -> Obj:
        pi = self.get(pi_id, "payment_intent", "intent")
        cancelable = ("requires_payment_method", "requires_capture", "requires_confirmation")
        if pi["status"] not in (*cancelable, "requires_action"):
            raise unexpected_state(pi, "canceled")
        if pi["status"] == "requires_capture":
            ch = self.objects[pi["latest_charge"]]
            ch.update(refunded=True, amount_refunded=ch["amount"])  # the authorization released
        pi.update(
            status="canceled",
            amount_capturable=0,
            next_action=None,
            canceled_at=o.now(),
            cancellation_reason=params.get("cancellation_reason") or "requested_by_customer",
        )
        self.emit("payment_intent.canceled", pi)
        return pi

    # ------------------------------------------------------------------ test hooks

    def complete_3ds(self, pi_id: str, succeed: bool) -> Obj:
        pi = self.get(pi_id, "payment_intent")
        if pi["status"] != "requires_action":
            raise unexpected_state(pi, "authenticated")
        if not succeed:
            return self.decline(pi, DECLINES["authentication_failed"])
        scenario = self.hidden[pi["payment_method"]].get("scenario", "succeed")
        after = SCENARIOS[scenario].decline_after_auth
        return self.decline(pi, after) if after else self.authorize(pi)

    def open_dispute(
        self, pi_id: str, reason: str = "fraudulent", *, withdraw_after_created: bool = False
    ) -> Obj:
        """A dispute and its withdrawal (amount and fee). ``withdraw_after_created``: the
        ``charge.dispute.created`` snapshot has no balance transaction yet (no fee), as
        when Stripe withdraws the funds after telling us of the dispute."""
        pi = self.get(pi_id, "payment_intent")
        ch = self.objects[pi["latest_charge"]]
        ch["disputed"] = True
        dp = self.put(o.dispute(pi, ch, reason))
        if withdraw_after_created:
            self.emit("charge.dispute.created", dp)
        fee = 1500 * 10 ** o.stripe_exponent(dp["currency"]) // 100  # 15.00, kept if won
        withdrawal = self.put(o.balance_transaction(dp, -dp["amount"], fee, "adjustment"))
        withdrawal["reporting_category"] = "dispute"  # as Stripe reports a dispute's withdrawal
        dp["balance_transactions"] = [copy.deepcopy(withdrawal)]
        if not withdraw_after_created:
            self.emit("charge.dispute.created", dp)
        self.emit("charge.dispute.funds_withdrawn", dp)
        return dp

    # ------------------------------------------------------------------ events

    def list_events(self, params: Obj) -> Obj:
        limit = max(1, min(integer(params, "limit") or 10, 100))
        types = set(params.get("types") or ([params["type"]] if params.get("type") else []))
        newest_first = list(reversed(self.events))
        ids = [e["id"] for e in newest_first]
        for name in ("starting_after", "ending_before"):
            if params.get(name) and params[name] not in ids:
                raise missing("event", params[name], name)

        def wanted(items: list[Obj]) -> list[Obj]:
            return [e for e in items if not types or e["type"] in types]

        if params.get("ending_before"):
            newer = wanted(newest_first[: ids.index(params["ending_before"])])
            data, has_more = newer[-limit:], len(newer) > limit
        else:
            start = ids.index(params["starting_after"]) + 1 if params.get("starting_after") else 0
            older = wanted(newest_first[start:])
            data, has_more = older[:limit], len(older) > limit
        return {"object": "list", "data": data, "has_more": has_more, "url": "/v1/events"}


def _check_amount(amount: int, currency: str) -> None:
    if currency in o.WHOLE_UNITS and amount % 100:
        raise invalid(
            f"Invalid amount. Currency {currency.upper()} has become effectively zero-decimal "
            "and charged amounts must be evenly divisible by 100.",
            code="invalid_charge_amount_no_decimal_compatible",
            param="amount",
        )
    if currency in o.THREE_DECIMAL and amount % 10:
        raise invalid(
            "The last digit of the amount must be 0.", code="parameter_invalid", param="amount"
        )
    if amount < o.MINIMUMS.get(currency, 1):
        raise invalid(
            "Amount must be at least the currency minimum.", code="amount_too_small", param="amount"
        )
    if amount > o.MAX_AMOUNT:
        raise invalid(
            "Amount must be no more than 99999999.", code="amount_too_large", param="amount"
        )


def _iban_ok(iban: str) -> bool:
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        return False
    digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    return int(digits) % 97 == 1
