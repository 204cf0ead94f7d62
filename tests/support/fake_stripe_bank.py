"""The fake Stripe's bank-based methods: SEPA Direct Debit (processing until the bank
answers, a test hook settles it by the IBAN's scenario) and bank transfers
(``customer_balance``: instructions to transfer, awaiting funds)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from payments.gateways.simulator.testibans import SEPA_FAILURES

from . import fake_stripe_objects as o
from .fake_stripe_errors import invalid

Obj = dict[str, Any]


class BankMethods:
    objects: dict[str, Obj]
    hidden: dict[str, Obj]

    if TYPE_CHECKING:

        def emit(self, kind: str, obj: Obj) -> None: ...
        def get(self, ident: str, kind: str, param: str = "id") -> Obj: ...
        def _new_charge(self, pi: Obj, status: str) -> Obj: ...
        def _capture(self, pi: Obj, ch: Obj, amount: int) -> None: ...

    def _start_sepa(self, pi: Obj, params: Obj, off_session: bool) -> Obj:
        if pi["currency"] != "eur" or pi["capture_method"] == "manual":
            raise invalid(
                "SEPA Direct Debit supports only EUR with automatic capture.",
                code="payment_method_invalid_parameter",
            )
        if not off_session and not params.get("mandate_data"):
            raise invalid(
                "mandate_data is required to confirm a SEPA Direct Debit payment on session.",
                code="parameter_missing",
                param="mandate_data",
            )
        self._new_charge(pi, "pending")
        pi.update(status="processing", processing=None)
        self.emit("payment_intent.processing", pi)
        return pi

    def settle_sepa(self, pi_id: str) -> Obj:
        pi = self.get(pi_id, "payment_intent")
        ch = self.objects[pi["latest_charge"]]
        scenario = self.hidden[ch["payment_method"]].get("scenario", "succeed")
        failure = SEPA_FAILURES.get(scenario)
        if failure is None:
            ch.update(status="succeeded", paid=True)
            self._capture(pi, ch, pi["amount"])
            self.emit("charge.succeeded", ch)
            return pi
        ch.update(status="failed", failure_code=failure.code, failure_message=failure.message)
        error = o.error_body("card_error", failure.message, code=failure.code)["error"]
        pi.update(status="requires_payment_method", last_payment_error=error)
        self.emit("charge.failed", ch)
        return pi

    def _start_bank_transfer(self, pi: Obj, params: Obj) -> Obj:
        if not pi["customer"]:
            raise invalid(
                "A customer is required for customer_balance payments.",
                code="parameter_missing",
                param="customer",
            )
        options = (params.get("payment_method_options") or {}).get("customer_balance") or {}
        transfer = options.get("bank_transfer") or {}
        if options.get("funding_type") != "bank_transfer" or not transfer.get("type"):
            raise invalid(
                "payment_method_options[customer_balance][funding_type] must be bank_transfer.",
                code="parameter_missing",
                param="payment_method_options[customer_balance][funding_type]",
            )
        country = (transfer.get("eu_bank_transfer") or {}).get("country", "DE")
        action = {
            "type": "display_bank_transfer_instructions",
            "display_bank_transfer_instructions": {
                "amount_remaining": pi["amount"],
                "currency": pi["currency"],
                "financial_addresses": [
                    {
                        "type": "iban",
                        "iban": {
                            "account_holder_name": "Stripe Technology Europe Ltd",
                            "bic": "FAKEDEFFXXX",
                            "country": country,
                            "iban": f"{country}89370400440532013000",
                        },
                        "supported_networks": ["sepa"],
                    }
                ],
                "hosted_instructions_url": f"https://payments.stripe.com/fake/{pi['id']}",
                "reference": o.new_id("REF").upper(),
                "type": "eu_bank_transfer",
            },
        }
        pi.update(status="requires_action", next_action=action)
        self.emit("payment_intent.requires_action", pi)
        return pi
