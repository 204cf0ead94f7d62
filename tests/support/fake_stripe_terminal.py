"""The fake Stripe's Terminal: readers (Stripe's simulated reader, ``simulated-wpe``),
their server-driven actions, connection tokens and the ``present_payment_method`` test
helper. Reader and connection token objects start from Stripe's fixtures
(``terminal.reader``, ``terminal.connection_token``); the card_present payment method
and charge details follow Stripe's documented shape (the fixtures have none)."""

from __future__ import annotations

import copy
from typing import Any

from payments.gateways.simulator.testdata import CARDS_BY_NUMBER, SCENARIOS

from . import fake_stripe_objects as o
from .fake_stripe_errors import invalid
from .fake_stripe_params import integer

Obj = dict[str, Any]
AIDS = {"visa": ("A0000000031010", "Visa Credit"), "mastercard": ("A0000000041010", "Mastercard")}


def card_present_method(number: str) -> tuple[Obj, str]:
    card = CARDS_BY_NUMBER.get(number)
    if card is None:
        raise invalid(
            "Only test card numbers are accepted.", code="parameter_invalid", param="card_present"
        )
    aid, name = AIDS.get(card.brand, ("A0000000031010", card.brand.title()))
    details = {
        "brand": card.brand,
        "brand_product": None,
        "cardholder_name": None,
        "country": card.country,
        "exp_month": 12,
        "exp_year": 2030,
        "fingerprint": o.fingerprint(number),
        "funding": card.funding,
        "last4": number[-4:],
        "networks": {"available": [card.brand], "preferred": None},
        "read_method": "contactless_emv",
    }
    receipt = {
        "account_type": card.funding,
        "application_cryptogram": "D9A1E4B2C0F3A7B8",
        "application_preferred_name": name,
        "authorization_code": "123456",
        "authorization_response_code": "3030",
        "cardholder_verification_method": "approval",
        "dedicated_file_name": aid,
        "terminal_verification_results": "0000000000",
        "transaction_status_information": "0000",
    }
    pm = o.template(
        "payment_method",
        id=o.new_id("pm"),
        type="card_present",
        card=None,
        card_present=details,
        created=o.now(),
        customer=None,
        metadata={},
    )
    return pm | {"_receipt": receipt}, card.scenario


class TerminalWorld:
    """Mixin of the fake's account: readers and their actions."""

    objects: dict[str, Obj]
    hidden: dict[str, Obj]

    def put(self, obj: Obj, **hidden: Any) -> Obj: ...
    def get(self, ident: str, kind: str, param: str = "id") -> Obj: ...
    def emit(self, kind: str, obj: Obj) -> None: ...
    def decline(self, pi: Obj, decline: Any) -> Obj: ...
    def authorize(self, pi: Obj) -> Obj: ...
    def create_refund(self, params: Obj) -> Obj: ...

    def create_reader(self, params: Obj) -> Obj:
        if params.get("registration_code") != "simulated-wpe":
            raise invalid(
                "The registration code is invalid.",
                code="parameter_invalid",
                param="registration_code",
            )
        return self.put(
            o.template(
                "terminal.reader",
                id=o.new_id("tmr"),
                action=None,
                device_type="simulated_wisepos_e",
                label=params.get("label") or "Reader",
                location=params.get("location"),
                serial_number=f"SIM-{o.new_id('sn')[-10:]}",
                status="online",
                metadata=dict(params.get("metadata") or {}),
            )
        )

    def _idle_reader(self, ident: str) -> Obj:
        reader = self.get(ident, "terminal.reader", "reader")
        if reader["status"] != "online":
            raise invalid(
                f"Reader {ident} is currently unreachable.", code="terminal_reader_offline"
            )
        if (reader.get("action") or {}).get("status") == "in_progress":
            raise invalid(
                f"Reader {ident} is currently busy processing another request.",
                code="terminal_reader_busy",
            )
        return reader

    @staticmethod
    def _action(kind: str, status: str, body: Obj) -> Obj:
        return {
            "type": kind,
            "status": status,
            "failure_code": None,
            "failure_message": None,
            kind: body,
        }

    def process_payment_intent(self, ident: str, params: Obj) -> Obj:
        reader = self._idle_reader(ident)
        pi = self.get(params.get("payment_intent") or "", "payment_intent", "payment_intent")
        if "card_present" not in pi["payment_method_types"]:
            raise invalid(
                "This PaymentIntent does not accept card_present.",
                code="payment_intent_incompatible_payment_method",
            )
        if pi["status"] not in ("requires_payment_method", "requires_confirmation"):
            raise invalid(
                f"This PaymentIntent has a status of {pi['status']}.",
                code="intent_invalid_state",
            )
        reader["action"] = self._action(
            "process_payment_intent", "in_progress", {"payment_intent": pi["id"]}
        )
        return reader

    def refund_payment(self, ident: str, params: Obj) -> Obj:
        reader = self._idle_reader(ident)
        pi = self.get(params.get("payment_intent") or "", "payment_intent", "payment_intent")
        body = {
            "amount": integer(params, "amount"),
            "charge": pi["latest_charge"],
            "payment_intent": pi["id"],
            "reason": params.get("reason"),
            "refund": None,
            "metadata": {},
        }
        reader["action"] = self._action("refund_payment", "in_progress", body)
        return reader

    def set_reader_display(self, ident: str, params: Obj) -> Obj:
        reader = self._idle_reader(ident)
        cart = copy.deepcopy(params.get("cart") or {})
        for key in ("tax", "total"):
            if cart.get(key) is not None:
                cart[key] = int(cart[key])
        cart["line_items"] = [
            {**li, "amount": int(li["amount"]), "quantity": int(li.get("quantity") or 1)}
            for li in cart.get("line_items") or []
        ]
        reader["action"] = self._action("set_reader_display", "succeeded", {"cart": cart})
        return reader

    def cancel_action(self, ident: str) -> Obj:
        reader = self.get(ident, "terminal.reader", "reader")
        action = reader.get("action")
        if not action or action["status"] != "in_progress":
            raise invalid("This reader has no action in progress.", code="terminal_reader_busy")
        action.update(
            status="failed", failure_code="canceled", failure_message="Canceled by the API."
        )
        self.emit("terminal.reader.action_failed", reader)
        return reader

    def present_payment_method(self, ident: str, params: Obj) -> Obj:
        reader = self.get(ident, "terminal.reader", "reader")
        action = reader.get("action")
        if not action or action["status"] != "in_progress":
            raise invalid("This reader has no action in progress.", code="terminal_reader_busy")
        number = (params.get("card_present") or {}).get("number") or "4242424242424242"
        pm, scenario = card_present_method(number)
        receipt = pm.pop("_receipt")
        self.put(pm, scenario=scenario, receipt=receipt)
        if action["type"] == "refund_payment":
            body = action["refund_payment"]
            request = {"payment_intent": body["payment_intent"]}
            if body.get("amount"):
                request["amount"] = str(body["amount"])
            refund = self.create_refund(request)
            body["refund"] = refund["id"]
            action["status"] = "succeeded"
            self.emit("terminal.reader.action_succeeded", reader)
            return reader
        pi = self.objects[action["process_payment_intent"]["payment_intent"]]
        pi["payment_method"] = pm["id"]
        behaviour = SCENARIOS[scenario]
        if behaviour.decline is not None:
            self.decline(pi, behaviour.decline)
            self.hidden[pi["id"]].pop("card_error", None)
            self._receipt(pi, receipt)
            action.update(
                status="failed",
                failure_code=behaviour.decline.code,
                failure_message=behaviour.decline.message,
            )
            self.emit("terminal.reader.action_failed", reader)
            return reader
        self.authorize(pi)
        self._receipt(pi, receipt)
        action["status"] = "succeeded"
        self.emit("terminal.reader.action_succeeded", reader)
        return reader

    def _receipt(self, pi: Obj, receipt: Obj) -> None:
        """The charge's card_present details carry the EMV receipt fields (as Stripe's)."""
        charge = self.objects[pi["latest_charge"]]
        charge["payment_method_details"]["card_present"]["receipt"] = receipt

    def connection_token(self, params: Obj) -> Obj:
        return o.template(
            "terminal.connection_token",
            secret=f"pst_test_{o.new_id('x')[2:]}",
            location=params.get("location"),
        )
