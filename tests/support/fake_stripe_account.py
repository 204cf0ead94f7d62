"""The fake Stripe's account-level objects: customers, SetupIntents, disputes, balance
transactions, payouts and PaymentIntent search."""

from __future__ import annotations

import copy
import re
from typing import Any

from payments.gateways.simulator.testdata import SCENARIOS

from . import fake_stripe_objects as o
from .fake_stripe_errors import ApiError, invalid
from .fake_stripe_params import boolean, integer
from .fake_stripe_terminal import TerminalWorld
from .fake_stripe_world import Obj, World


def _in_range(value: int, bounds: Obj | None) -> bool:
    """Stripe's range filter (gt, gte, lt, lte) on a Unix timestamp."""
    if not bounds:
        return True
    checks = {
        "gt": lambda b: value > b,
        "gte": lambda b: value >= b,
        "lt": lambda b: value < b,
        "lte": lambda b: value <= b,
    }
    return all(checks[k](int(v)) for k, v in bounds.items())


_SEARCH = re.compile(r"^metadata\['([^']+)'\]:'((?:[^'\\]|\\.)*)'$")


class Account(World, TerminalWorld):
    def __init__(self) -> None:
        super().__init__()
        for days_ago in (3, 2, 1):
            created = o.now() - days_ago * 86_400
            payout = o.template(
                "payout",
                id=o.new_id("po"),
                amount=10_000 * days_ago,
                currency="eur",
                created=created,
                arrival_date=created + 86_400,
                status="paid",
                balance_transaction=o.new_id("txn"),
            )
            self.put(payout)

    # ------------------------------------------------------------------ customers

    def create_customer(self, params: Obj) -> Obj:
        return self.put(
            o.template(
                "customer",
                id=o.new_id("cus"),
                created=o.now(),
                email=params.get("email"),
                name=params.get("name"),
                metadata=dict(params.get("metadata") or {}),
                discount=None,
                currency=None,
            )
        )

    # ------------------------------------------------------------------ setup intents

    def create_setup_intent(self, params: Obj) -> Obj:
        if params.get("customer"):
            self.get(params["customer"], "customer", "customer")
        seti_id = o.new_id("seti")
        return self.put(
            o.template(
                "setup_intent",
                id=seti_id,
                client_secret=f"{seti_id}_secret_{o.new_id('s')}",
                created=o.now(),
                customer=params.get("customer"),
                last_setup_error=None,
                next_action=None,
                payment_method=None,
                payment_method_configuration_details=None,
                payment_method_types=list(params.get("payment_method_types") or ["card"]),
                status="requires_payment_method",
                usage=params.get("usage") or "off_session",
                metadata=dict(params.get("metadata") or {}),
            )
        )

    def confirm_setup_intent(self, seti_id: str, params: Obj) -> Obj:
        seti = self.get(seti_id, "setup_intent", "intent")
        if seti["status"] not in ("requires_payment_method", "requires_confirmation"):
            raise invalid(
                f"This SetupIntent has a status of {seti['status']}.",
                code="setup_intent_unexpected_state",
            )
        pm = self.payment_method(params.get("payment_method") or "", "payment_method")
        seti["payment_method"] = pm["id"]
        if pm["type"] == "sepa_debit":
            acceptance = (params.get("mandate_data") or {}).get("customer_acceptance") or {}
            if acceptance.get("type") != "online":
                raise invalid(
                    "mandate_data[customer_acceptance] with online acceptance is required.",
                    code="parameter_missing",
                    param="mandate_data",
                )
            seti.update(status="succeeded", mandate=o.new_id("mandate"))
            pm["customer"] = seti["customer"]
            return seti
        behaviour = SCENARIOS[self.hidden[pm["id"]].get("scenario", "succeed")]
        if behaviour.decline is not None:
            error = o.error_body(
                "card_error",
                behaviour.decline.message,
                code=behaviour.decline.code,
                decline_code=behaviour.decline.decline_code,
            )["error"]
            seti.update(status="requires_payment_method", last_setup_error=error)
            raise ApiError(402, {"error": {**error, "setup_intent": self.render(seti)}})
        if behaviour.three_ds in ("always", "unless_setup", "setup_for_off_session"):
            url = f"https://hooks.stripe.com/3d_secure_2/hosted?setup_intent={seti['id']}"
            seti.update(
                status="requires_action",
                next_action={"type": "redirect_to_url", "redirect_to_url": {"url": url}},
            )
            return seti
        seti["status"] = "succeeded"
        pm["customer"] = seti["customer"]
        return seti

    def cancel_setup_intent(self, seti_id: str) -> Obj:
        seti = self.get(seti_id, "setup_intent", "intent")
        if seti["status"] in ("succeeded", "canceled", "processing"):
            raise invalid(
                f"You cannot cancel this SetupIntent because it has a status of {seti['status']}.",
                code="setup_intent_unexpected_state",
            )
        seti.update(status="canceled", next_action=None)
        return seti

    # ------------------------------------------------------------------ refunds

    def create_refund(self, params: Obj) -> Obj:
        if params.get("payment_intent"):
            pi = self.get(params["payment_intent"], "payment_intent", "payment_intent")
        elif params.get("charge"):
            ch = self.get(params["charge"], "charge", "charge")
            pi = self.objects[ch["payment_intent"]]
        else:
            raise invalid("One of charge or payment_intent is required.", code="parameter_missing")
        if pi["status"] != "succeeded":
            raise invalid(
                "This PaymentIntent does not have a successful charge to refund.",
                code="charge_not_refundable",
            )
        ch = self.objects[pi["latest_charge"]]
        if ch["disputed"]:
            raise invalid("The charge has been disputed.", code="charge_disputed")
        remaining = ch["amount_captured"] - ch["amount_refunded"]
        if remaining <= 0:
            raise invalid(
                f"Charge {ch['id']} has already been refunded.", code="charge_already_refunded"
            )
        amount = integer(params, "amount")
        amount = remaining if amount is None else amount
        if amount > remaining or amount <= 0:
            raise invalid(
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
                code="amount_too_large",
                param="amount",
            )
        reason = params.get("reason")
        if reason not in (None, "duplicate", "fraudulent", "requested_by_customer"):
            raise invalid(f"Invalid reason: {reason}", code="parameter_invalid", param="reason")
        pm_scenario = self.hidden[ch["payment_method"]].get("scenario", "succeed")
        pending = SCENARIOS.get(pm_scenario) and SCENARIOS[pm_scenario].refund == "pending"
        status = (
            "pending"
            if pending or ch["payment_method_details"]["type"] == "sepa_debit"
            else "succeeded"
        )
        re_ = self.put(o.refund(pi, ch, amount, reason, status, dict(params.get("metadata") or {})))
        ch["amount_refunded"] += amount
        ch["refunded"] = ch["amount_refunded"] == ch["amount_captured"]
        self.emit("charge.refunded", ch)
        self.emit("refund.created", re_)
        return re_

    def fail_refund(self, refund_id: str) -> Obj:
        re_ = self.get(refund_id, "refund")
        ch = self.objects[re_["charge"]]
        re_.update(status="failed", failure_reason="declined")
        ch["amount_refunded"] -= re_["amount"]
        ch["refunded"] = False
        self.emit("refund.updated", re_)
        self.emit("refund.failed", re_)
        return re_

    def require_refund_action(self, refund_id: str) -> Obj:
        re_ = self.get(refund_id, "refund", "refund")
        re_["status"] = "requires_action"
        return re_

    def cancel_refund(self, refund_id: str) -> Obj:
        re_ = self.get(refund_id, "refund", "refund")
        if re_["status"] != "requires_action":
            raise invalid(
                f"Refund {refund_id} cannot be canceled because it has a status of "
                f"{re_['status']}. Only refunds with a status of requires_action can be canceled."
            )
        ch = self.objects[re_["charge"]]
        re_["status"] = "canceled"
        ch["amount_refunded"] -= re_["amount"]
        ch["refunded"] = False
        self.emit("refund.updated", re_)
        return re_

    # ------------------------------------------------------------------ disputes

    def update_dispute(self, dp_id: str, params: Obj) -> Obj:
        dp = self.get(dp_id, "dispute", "dispute")
        if dp["status"] in ("won", "lost"):
            raise invalid("This dispute is already closed.", code="dispute_already_closed")
        evidence = params.get("evidence") or {}
        for name in evidence:
            if name not in dp["evidence"]:
                raise invalid(
                    f"Received unknown parameter: evidence[{name}]",
                    code="parameter_unknown",
                    param=f"evidence[{name}]",
                )
        dp["evidence"].update(evidence)
        dp["evidence_details"]["has_evidence"] |= bool(evidence)
        if boolean(params, "submit"):
            dp["status"] = "under_review"
            dp["evidence_details"]["submission_count"] += 1
        self.emit("charge.dispute.updated", dp)
        return dp

    def close_dispute(self, dp_id: str) -> Obj:
        dp = self.get(dp_id, "dispute", "dispute")
        if dp["status"] in ("won", "lost"):
            raise invalid("This dispute is already closed.", code="dispute_already_closed")
        dp["status"] = "lost"
        self.emit("charge.dispute.closed", dp)
        return dp

    # ------------------------------------------------------------------ payouts, search

    def list_payouts(self, params: Obj) -> Obj:
        payouts = sorted(
            (p for p in self.objects.values() if p.get("object") == "payout"),
            key=lambda p: p["created"],
            reverse=True,
        )
        payouts = [p for p in payouts if _in_range(p["arrival_date"], params.get("arrival_date"))]
        return self._page(payouts, params, "/v1/payouts")

    def list_balance_transactions(self, params: Obj) -> Obj:
        txns = sorted(
            (t for t in self.objects.values() if t.get("object") == "balance_transaction"),
            key=lambda t: t["created"],
            reverse=True,
        )
        if params.get("payout"):
            txns = [t for t in txns if self.hidden[t["id"]].get("payout") == params["payout"]]
        if params.get("type"):
            txns = [t for t in txns if t["type"] == params["type"]]
        txns = [t for t in txns if _in_range(t["created"], params.get("created"))]
        page = self._page(txns, params, "/v1/balance_transactions")
        if "data.source" in (params.get("expand") or ()):
            page["data"] = [self._with_source(t) for t in page["data"]]
        return page

    def _with_source(self, txn: Obj) -> Obj:
        out = copy.deepcopy(txn)
        if isinstance(out.get("source"), str) and out["source"] in self.objects:
            out["source"] = copy.deepcopy(self.objects[out["source"]])
        return out

    @staticmethod
    def _page(items: list[Obj], params: Obj, url: str) -> Obj:
        limit = max(1, min(integer(params, "limit") or 10, 100))
        if params.get("starting_after"):
            ids = [p["id"] for p in items]
            items = items[ids.index(params["starting_after"]) + 1 :]
        return {"object": "list", "data": items[:limit], "has_more": len(items) > limit, "url": url}

    def pay_out(self, currency: str, arrival_date: int | None) -> Obj:
        """An automatic payout of the unpaid balance transactions in ``currency``."""
        due = [
            t
            for t in self.objects.values()
            if t.get("object") == "balance_transaction"
            and t["currency"] == currency
            and not self.hidden[t["id"]].get("payout")
        ]
        amount = sum(t["net"] for t in due)
        payout_id = o.new_id("po")
        own = o.template(
            "balance_transaction",
            id=o.new_id("txn"),
            amount=-amount,
            fee=0,
            fee_details=[],
            net=-amount,
            currency=currency,
            source=payout_id,
            type="payout",
            reporting_category="payout",
            created=o.now(),
            available_on=o.now(),
            status="available",
            description="STRIPE PAYOUT",
        )
        for t in due:
            self.hidden[t["id"]]["payout"] = payout_id
        self.put(own, payout=payout_id)
        return self.put(
            o.template(
                "payout",
                id=payout_id,
                amount=amount,
                currency=currency,
                created=o.now(),
                arrival_date=arrival_date or o.now(),
                status="paid",
                automatic=True,
                balance_transaction=own["id"],
            )
        )

    def _retrieve_balance_transaction(self, ident: str, expand: tuple[str, ...]) -> Obj:
        txn = self.get(ident, "balance_transaction", "id")
        return self._with_source(txn) if "source" in expand else txn

    def search_payment_intents(self, params: Obj) -> Obj:
        match = _SEARCH.match(params.get("query") or "")
        if match is None:
            raise invalid("Unsupported search query.", code="parameter_invalid", param="query")
        key, value = match.group(1), re.sub(r"\\(.)", r"\1", match.group(2))
        found = [
            self.render(obj)
            for obj in self.objects.values()
            if obj.get("object") == "payment_intent" and obj["metadata"].get(key) == value
        ]
        return {
            "object": "search_result",
            "data": found,
            "has_more": False,
            "next_page": None,
            "url": "/v1/payment_intents/search",
        }

    def dispatch(self, route: str, ident: str | None, params: Obj) -> Obj:
        """Run one API operation; returns the object (200) or raises :class:`ApiError`."""
        expand = tuple(params.get("expand") or ())
        handlers: dict[str, Any] = {
            "POST payment_intents": lambda: self.create_payment_intent(params),
            "GET payment_intent": lambda: self.get(ident or "", "payment_intent", "intent"),
            "GET payment_intents_search": lambda: self.search_payment_intents(params),
            "POST payment_intent_capture": lambda: self.capture(ident or "", params),
            "POST payment_intent_cancel": lambda: self.cancel(ident or "", params),
            "POST payment_intent_increment_authorization": lambda: self.increment_authorization(
                ident or "", params
            ),
            "POST refunds": lambda: self.create_refund(params),
            "GET refund": lambda: self.get(ident or "", "refund", "refund"),
            "POST refund_cancel": lambda: self.cancel_refund(ident or ""),
            "POST payment_methods": lambda: self.create_payment_method(params),
            "GET payment_method": lambda: self.payment_method(ident or "", "payment_method"),
            "POST customers": lambda: self.create_customer(params),
            "GET customer": lambda: self.get(ident or "", "customer", "customer"),
            "POST setup_intents": lambda: self.create_setup_intent(params),
            "POST setup_intent_confirm": lambda: self.confirm_setup_intent(ident or "", params),
            "GET setup_intent": lambda: self.get(ident or "", "setup_intent", "intent"),
            "POST setup_intent_cancel": lambda: self.cancel_setup_intent(ident or ""),
            "GET dispute": lambda: self.get(ident or "", "dispute", "dispute"),
            "POST dispute": lambda: self.update_dispute(ident or "", params),
            "POST dispute_close": lambda: self.close_dispute(ident or ""),
            "GET balance_transaction": lambda: self._retrieve_balance_transaction(
                ident or "", expand
            ),
            "GET balance_transactions": lambda: self.list_balance_transactions(params),
            "GET payouts": lambda: self.list_payouts(params),
            "GET payout": lambda: self.get(ident or "", "payout", "payout"),
            "GET events": lambda: self.list_events(params),
            "POST terminal_readers": lambda: self.create_reader(params),
            "GET terminal_reader": lambda: self.get(ident or "", "terminal.reader", "reader"),
            "POST reader_process": lambda: self.process_payment_intent(ident or "", params),
            "POST reader_refund": lambda: self.refund_payment(ident or "", params),
            "POST reader_display": lambda: self.set_reader_display(ident or "", params),
            "POST reader_cancel": lambda: self.cancel_action(ident or ""),
            "POST connection_tokens": lambda: self.connection_token(params),
            "POST reader_present": lambda: self.present_payment_method(ident or "", params),
        }
        result: Obj = handlers[route]()
        return self.render(result, expand) if result.get("object") != "list" else result
