"""Form decoding and parameter checking for the fake Stripe, as Stripe's API does it.

Stripe takes ``application/x-www-form-urlencoded`` bodies (and query strings)
with nested keys: ``metadata[order]=1``, ``expand[0]=latest_charge``,
``mandate_data[customer_acceptance][type]=offline``. :func:`decode` rebuilds
the nesting; :func:`check` rejects any parameter the endpoint's schema does not
name, with Stripe's ``parameter_unknown`` error.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

SCALAR = "scalar"
MAP = "map"  # free-form string map (metadata, evidence)
LIST = "list"  # list of scalars

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


class ParamError(Exception):
    def __init__(self, message: str, *, code: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.param = message, code, param


def decode(body: str) -> dict[str, Any]:
    """``a[b][0]=x&c=y`` -> ``{"a": {"b": ["x"]}, "c": "y"}``."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        match = _KEY.match(key)
        if match is None:
            raise ParamError(f"Invalid parameter name: {key}", code="parameter_unknown", param=key)
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ParamError(f"Invalid nesting for {key}", code="parameter_invalid", param=key)
        node[parts[-1]] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _listify(v) for k, v in node.items()}
    if converted and all(k.isdigit() or k == "" for k in converted):
        return [converted[k] for k in sorted(converted, key=lambda k: int(k or 0))]
    return converted


def check(params: dict[str, Any], schema: dict[str, Any], prefix: str = "") -> None:
    """Reject parameters the schema does not name (Stripe: ``parameter_unknown``)."""
    for name, value in params.items():
        path = f"{prefix}[{name}]" if prefix else name
        if name not in schema:
            raise ParamError(
                f"Received unknown parameter: {path}", code="parameter_unknown", param=path
            )
        kind = schema[name]
        if kind == SCALAR and not isinstance(value, str):
            raise ParamError(f"Invalid value for {path}", code="parameter_invalid", param=path)
        if kind == LIST and not isinstance(value, list):
            raise ParamError(f"Invalid array for {path}", code="parameter_invalid", param=path)
        if kind == MAP and not isinstance(value, dict):
            raise ParamError(f"Invalid hash for {path}", code="parameter_invalid", param=path)
        if isinstance(kind, list):  # [schema]: an array of hashes
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise ParamError(f"Invalid array for {path}", code="parameter_invalid", param=path)
            for i, item in enumerate(value):
                check(item, kind[0], f"{path}[{i}]")
            continue
        if isinstance(kind, dict):
            if not isinstance(value, dict):
                raise ParamError(f"Invalid hash for {path}", code="parameter_invalid", param=path)
            check(value, kind, path)


def integer(params: dict[str, Any], name: str, *, required: bool = False) -> int | None:
    raw = params.get(name)
    if raw is None:
        if required:
            raise ParamError(
                f"Missing required param: {name}.", code="parameter_missing", param=name
            )
        return None
    if not re.fullmatch(r"-?\d+", raw):
        raise ParamError(f"Invalid integer: {raw}", code="parameter_invalid_integer", param=name)
    return int(raw)


def boolean(params: dict[str, Any], name: str) -> bool:
    raw = params.get(name, "false")
    if raw not in ("true", "false"):
        raise ParamError(f"Invalid boolean: {raw}", code="parameter_invalid_boolean", param=name)
    return raw == "true"


EXPAND = {"expand": LIST}
_ACCEPTANCE = {
    "customer_acceptance": {
        "type": SCALAR,
        "online": {"ip_address": SCALAR, "user_agent": SCALAR},
        "offline": MAP,
    }
}
_PM_OPTIONS = {
    "blik": {"code": SCALAR},
    "card": {"request_incremental_authorization": SCALAR},
    "customer_balance": {
        "funding_type": SCALAR,
        "bank_transfer": {"type": SCALAR, "eu_bank_transfer": {"country": SCALAR}},
    },
}
_RANGE = {"gt": SCALAR, "gte": SCALAR, "lt": SCALAR, "lte": SCALAR}
SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "payment_intents"): {
        **EXPAND,
        "amount": SCALAR,
        "currency": SCALAR,
        "payment_method": SCALAR,
        "payment_method_types": LIST,
        "automatic_payment_methods": {"enabled": SCALAR, "allow_redirects": SCALAR},
        "confirm": SCALAR,
        "capture_method": SCALAR,
        "customer": SCALAR,
        "off_session": SCALAR,
        "return_url": SCALAR,
        "description": SCALAR,
        "metadata": MAP,
        "mandate_data": _ACCEPTANCE,
        "payment_method_options": _PM_OPTIONS,
    },
    ("GET", "payment_intent"): EXPAND,
    ("GET", "payment_intents_search"): {**EXPAND, "query": SCALAR, "limit": SCALAR},
    ("POST", "payment_intent_capture"): {**EXPAND, "amount_to_capture": SCALAR, "metadata": MAP},
    ("POST", "payment_intent_cancel"): {**EXPAND, "cancellation_reason": SCALAR},
    ("POST", "payment_intent_increment_authorization"): {
        **EXPAND,
        "amount": SCALAR,
        "description": SCALAR,
        "metadata": MAP,
    },
    ("POST", "refunds"): {
        **EXPAND,
        "payment_intent": SCALAR,
        "charge": SCALAR,
        "amount": SCALAR,
        "reason": SCALAR,
        "metadata": MAP,
    },
    ("GET", "refund"): EXPAND,
    ("POST", "refund_cancel"): EXPAND,
    ("POST", "payment_methods"): {
        **EXPAND,
        "type": SCALAR,
        "sepa_debit": {"iban": SCALAR},
        "card": {"number": SCALAR, "exp_month": SCALAR, "exp_year": SCALAR, "cvc": SCALAR},
        "customer_balance": MAP,
        "ideal": {"bank": SCALAR},
        "eps": {"bank": SCALAR},
        "p24": {"bank": SCALAR},
        "bancontact": MAP,
        "blik": MAP,
        "twint": MAP,
        "swish": MAP,
        "klarna": MAP,
        "billing_details": {
            "name": SCALAR,
            "email": SCALAR,
            "phone": SCALAR,
            "address": {"country": SCALAR},
        },
        "metadata": MAP,
    },
    ("GET", "payment_method"): EXPAND,
    ("POST", "customers"): {**EXPAND, "email": SCALAR, "name": SCALAR, "metadata": MAP},
    ("GET", "customer"): EXPAND,
    ("POST", "setup_intents"): {
        **EXPAND,
        "customer": SCALAR,
        "payment_method_types": LIST,
        "usage": SCALAR,
        "metadata": MAP,
    },
    ("POST", "setup_intent_confirm"): {
        **EXPAND,
        "payment_method": SCALAR,
        "return_url": SCALAR,
        "mandate_data": _ACCEPTANCE,
    },
    ("GET", "setup_intent"): EXPAND,
    ("POST", "setup_intent_cancel"): {**EXPAND, "cancellation_reason": SCALAR},
    ("GET", "dispute"): EXPAND,
    ("POST", "dispute"): {**EXPAND, "evidence": MAP, "submit": SCALAR, "metadata": MAP},
    ("POST", "dispute_close"): EXPAND,
    ("GET", "balance_transaction"): EXPAND,
    ("GET", "payouts"): {
        **EXPAND,
        "limit": SCALAR,
        "starting_after": SCALAR,
        "arrival_date": _RANGE,
        "created": _RANGE,
    },
    ("GET", "balance_transactions"): {
        **EXPAND,
        "limit": SCALAR,
        "starting_after": SCALAR,
        "payout": SCALAR,
        "type": SCALAR,
        "created": _RANGE,
    },
    ("GET", "payout"): EXPAND,
    ("GET", "events"): {
        **EXPAND,
        "limit": SCALAR,
        "starting_after": SCALAR,
        "ending_before": SCALAR,
        "types": LIST,
        "type": SCALAR,
    },
    ("POST", "terminal_readers"): {
        **EXPAND,
        "registration_code": SCALAR,
        "label": SCALAR,
        "location": SCALAR,
        "metadata": MAP,
    },
    ("GET", "terminal_reader"): EXPAND,
    ("POST", "reader_process"): {**EXPAND, "payment_intent": SCALAR, "process_config": MAP},
    ("POST", "reader_refund"): {
        **EXPAND,
        "payment_intent": SCALAR,
        "charge": SCALAR,
        "amount": SCALAR,
        "reason": SCALAR,
        "metadata": MAP,
    },
    ("POST", "reader_display"): {
        **EXPAND,
        "type": SCALAR,
        "cart": {
            "currency": SCALAR,
            "line_items": [{"amount": SCALAR, "description": SCALAR, "quantity": SCALAR}],
            "tax": SCALAR,
            "total": SCALAR,
        },
    },
    ("POST", "reader_cancel"): EXPAND,
    ("POST", "connection_tokens"): {**EXPAND, "location": SCALAR},
    ("POST", "reader_present"): {
        **EXPAND,
        "type": SCALAR,
        "card_present": {"number": SCALAR},
        "amount_tip": SCALAR,
    },
}
