"""The rule language: Radar's syntax, parsed by Lark into an AST evaluated without eval.

    :amount_in_eur: > 1000 and :card_country: != :shop_country:
    :risk_level: = 'elevated'
    :card_fingerprint: in @blocked_cards and not :customer_email: in @trusted
    :card_country: in ('RU', 'NG') or :declines_per_card_1h: >= 3

An attribute is ``:name:`` (the documented ones in :data:`ATTRIBUTES`), a value list
``@alias``, strings are quoted with ``'`` or ``"``, numbers are decimals, ``true`` and
``false`` are booleans; ``and``, ``or``, ``not`` and parentheses combine. An attribute
that is missing for a payment (no IP address, no customer) makes every comparison on
it false, as at Radar. Every error names the column (1-based) where it was found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

NUMBER, STRING, BOOLEAN = "number", "string", "boolean"

# The attributes a predicate may name, and their kind (documented in how-to/manage-fraud-rules).
ATTRIBUTES: Mapping[str, str] = {
    "amount": NUMBER,  # minor units of the payment's currency
    "amount_in_eur": NUMBER,  # the amount in euros (other currencies at reference rates)
    "currency": STRING,
    "risk_score": NUMBER,
    "risk_level": STRING,  # normal | elevated | highest
    "card_fingerprint": STRING,
    "card_country": STRING,
    "card_brand": STRING,
    "card_funding": STRING,
    "cvc_check": STRING,  # pass | fail | unavailable | unchecked
    "shop_country": STRING,
    "location": STRING,  # the shop's id
    "ip_address": STRING,
    "ip_country": STRING,
    "customer": STRING,  # the customer's id
    "customer_email": STRING,
    "payment_method_type": STRING,
    "sepa_debit_fingerprint": STRING,  # a SEPA debit's account, as the gateway fingerprints it
    "is_first_purchase": BOOLEAN,
    "customer_charge_count": NUMBER,
    "amount_vs_customer_average": NUMBER,  # this amount / the customer's average
    "amount_vs_shop_average": NUMBER,
    "cards_per_customer_24h": NUMBER,
    "cards_per_ip_24h": NUMBER,
    "cards_per_device_24h": NUMBER,  # distinct cards tried from the device (radar session)
    "device": STRING,  # the device / browser session id (radar_options.session)
    "three_ds_failures_per_card_24h": NUMBER,
    "disputes_for_card": NUMBER,
    "disputes_for_customer": NUMBER,
    "early_fraud_warnings_for_card": NUMBER,  # issuers' fraud warnings on the card's charges
    "early_fraud_warnings_for_customer": NUMBER,
    "refunds_per_customer_30d": NUMBER,
    **{
        f"{what}_per_{subject}_{window}": NUMBER
        for what in ("attempts", "declines")
        for subject in ("card", "customer", "email", "ip", "device", "shop")
        for window in ("1m", "1h", "24h")
    },
}

_GRAMMAR = r"""
?start: disj
?disj: conj (_OR conj)*
?conj: neg (_AND neg)*
?neg: _NOT neg -> not_
    | atom
?atom: value COMPARATOR value -> compare
     | value _IN collection -> member
     | value _NOT _IN collection -> not_member
     | "(" disj ")"
     | value -> truthy
?collection: LIST_REF -> list_ref
           | "(" value ("," value)* ")" -> values
?value: ATTRIBUTE -> attribute
      | SIGNED_NUMBER -> number
      | STRING -> string
      | _TRUE -> true
      | _FALSE -> false
ATTRIBUTE: /:[a-z][a-z0-9_]*:/
LIST_REF: /@[A-Za-z][A-Za-z0-9_]*/
COMPARATOR: "!=" | "<=" | ">=" | "=" | "<" | ">"
STRING: /'[^']*'/ | /"[^"]*"/
_OR: /\bor\b/i
_AND: /\band\b/i
_NOT: /\bnot\b/i
_IN: /\bin\b/i
_TRUE: /\btrue\b/i
_FALSE: /\bfalse\b/i
%import common.SIGNED_NUMBER
%import common.WS
%ignore WS
"""


class RuleSyntaxError(ValueError):
    """A predicate that does not parse or names what does not exist, at ``column``."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"{message} (at column {column})")
        self.column = column


# ----------------------------------------------------------------------------- the AST


@dataclass(frozen=True, slots=True)
class Attr:
    name: str
    column: int


@dataclass(frozen=True, slots=True)
class Lit:
    value: Decimal | str | bool


@dataclass(frozen=True, slots=True)
class ListRef:
    alias: str
    column: int


@dataclass(frozen=True, slots=True)
class Compare:
    left: Attr | Lit
    op: str
    right: Attr | Lit


@dataclass(frozen=True, slots=True)
class Member:
    item: Attr | Lit
    collection: ListRef | tuple[Attr | Lit, ...]
    negated: bool


@dataclass(frozen=True, slots=True)
class Truthy:
    operand: Attr | Lit


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # and | or
    operands: tuple[Node, ...]


Node = Compare | Member | Truthy | Not | BoolOp


@dataclass(frozen=True, slots=True)
class Predicate:
    source: str
    root: Node
    attributes: frozenset[str]
    lists: tuple[ListRef, ...]


@cache
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def _column(item: Any) -> int:
    return int(getattr(item, "column", 0) or getattr(getattr(item, "meta", None), "column", 1))


def _operand(node: Tree[Token]) -> Attr | Lit:
    token = node.children[0] if node.children else None
    match node.data:
        case "attribute":
            assert isinstance(token, Token)  # noqa: S101 - the grammar guarantees it
            name = str(token)[1:-1]
            if name not in ATTRIBUTES:
                raise RuleSyntaxError(f"Unknown attribute :{name}:", _column(token))
            return Attr(name, _column(token))
        case "number":
            return Lit(Decimal(str(token)))
        case "string":
            return Lit(str(token)[1:-1])
        case "true":
            return Lit(True)
        case "false":
            return Lit(False)
    raise RuleSyntaxError("Expected an attribute or a value", _column(node))


def _node(tree: Tree[Token]) -> Node:
    kids = tree.children
    match tree.data:
        case "disj" | "conj":
            op = "or" if tree.data == "disj" else "and"
            return BoolOp(op, tuple(_node(k) for k in kids if isinstance(k, Tree)))
        case "not_":
            (inner,) = kids
            assert isinstance(inner, Tree)  # noqa: S101
            return Not(_node(inner))
        case "compare":
            left, comparator, right = kids
            assert isinstance(left, Tree) and isinstance(right, Tree)  # noqa: S101
            return _compare(_operand(left), str(comparator), _operand(right), _column(comparator))
        case "member" | "not_member":
            item, collection = kids
            assert isinstance(item, Tree) and isinstance(collection, Tree)  # noqa: S101
            return Member(_operand(item), _collection(collection), tree.data == "not_member")
        case "truthy":
            (inner,) = kids
            assert isinstance(inner, Tree)  # noqa: S101
            operand = _operand(inner)
            if isinstance(operand, Attr) and ATTRIBUTES[operand.name] != BOOLEAN:
                raise RuleSyntaxError(
                    f":{operand.name}: is not true or false: compare it with a value",
                    operand.column,
                )
            return Truthy(operand)
    raise RuleSyntaxError(f"Unexpected {tree.data}", _column(tree))


def _kind(operand: Attr | Lit) -> str:
    if isinstance(operand, Attr):
        return ATTRIBUTES[operand.name]
    if isinstance(operand.value, bool):
        return BOOLEAN
    return NUMBER if isinstance(operand.value, Decimal) else STRING


def _compare(left: Attr | Lit, op: str, right: Attr | Lit, column: int) -> Compare:
    kinds = {_kind(left), _kind(right)}
    if len(kinds) > 1:
        raise RuleSyntaxError(f"Cannot compare a {_kind(left)} with a {_kind(right)}", column)
    if op in ("<", ">", "<=", ">=") and kinds != {NUMBER}:
        raise RuleSyntaxError(f"{op} compares numbers only", column)
    return Compare(left, op, right)


def _collection(tree: Tree[Token]) -> ListRef | tuple[Attr | Lit, ...]:
    if tree.data == "list_ref":
        token = tree.children[0]
        return ListRef(str(token)[1:], _column(token))
    return tuple(_operand(k) for k in tree.children if isinstance(k, Tree))


def _walk(node: Node) -> list[Attr | ListRef]:
    match node:
        case BoolOp(operands=operands):
            return [found for child in operands for found in _walk(child)]
        case Not(operand=inner):
            return _walk(inner)
        case Compare(left=left, right=right):
            return [x for x in (left, right) if isinstance(x, Attr)]
        case Member(item=item, collection=collection):
            found: list[Attr | ListRef] = [item] if isinstance(item, Attr) else []
            if isinstance(collection, ListRef):
                found.append(collection)
            else:
                found += [x for x in collection if isinstance(x, Attr)]
            return found
        case Truthy(operand=operand):
            return [operand] if isinstance(operand, Attr) else []
    return []


@lru_cache(maxsize=4096)
def parse(source: str) -> Predicate:
    """The predicate's AST, or :class:`RuleSyntaxError` with the column of the problem.
    Cached by source: a payment's assessment evaluates the stored rules without parsing
    them again (a predicate is immutable)."""
    if not source.strip():
        raise RuleSyntaxError("The predicate is empty", 1)
    try:
        tree = _parser().parse(source)
    except UnexpectedEOF:
        raise RuleSyntaxError("The predicate ends too early", len(source) + 1) from None
    except UnexpectedCharacters as exc:
        raise RuleSyntaxError(
            f"Unexpected character {source[exc.pos_in_stream or 0]!r}", exc.column
        ) from None
    except UnexpectedToken as exc:
        if exc.token.type == "$END":
            raise RuleSyntaxError("The predicate ends too early", len(source) + 1) from None
        raise RuleSyntaxError(f"Unexpected {str(exc.token)!r}", exc.column) from None
    except UnexpectedInput as exc:  # pragma: no cover - the three above are all Lark raises
        raise RuleSyntaxError("The predicate does not parse", exc.column) from None
    if isinstance(tree, Token):  # a lone value: the grammar makes it truthy, never a token
        raise RuleSyntaxError("Expected a condition", 1)
    root = _node(tree)
    refs = _walk(root)
    return Predicate(
        source=source,
        root=root,
        attributes=frozenset(r.name for r in refs if isinstance(r, Attr)),
        lists=tuple(r for r in refs if isinstance(r, ListRef)),
    )


# ------------------------------------------------------------------------- evaluation

Lists = Mapping[str, frozenset[str]]  # alias -> its values (normalized)


def _value(operand: Attr | Lit, facts: Mapping[str, Any]) -> Any:
    if isinstance(operand, Lit):
        return operand.value
    raw = facts.get(operand.name)
    if raw is None:
        return None
    if ATTRIBUTES[operand.name] == NUMBER and not isinstance(raw, bool):
        try:
            return Decimal(str(raw))
        except InvalidOperation:
            return None
    return raw


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    return bool(a == b)


_ORDERING = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def evaluate(node: Node, facts: Mapping[str, Any], lists: Lists) -> bool:
    """Whether the payment described by ``facts`` matches. No eval, no attribute access:
    a walk over the AST's node types."""
    match node:
        case BoolOp(op="and", operands=operands):
            return all(evaluate(child, facts, lists) for child in operands)
        case BoolOp(operands=operands):
            return any(evaluate(child, facts, lists) for child in operands)
        case Not(operand=inner):
            return not evaluate(inner, facts, lists)
        case Truthy(operand=operand):
            return _value(operand, facts) is True
        case Compare(left=left, op=op, right=right):
            a, b = _value(left, facts), _value(right, facts)
            if a is None or b is None:
                return False
            if op == "=":
                return _same(a, b)
            if op == "!=":
                return not _same(a, b)
            return bool(_ORDERING[op](a, b))
        case Member(item=item, collection=collection, negated=negated):
            value = _value(item, facts)
            if value is None:
                return False
            if isinstance(collection, ListRef):
                found = str(value).lower() in lists.get(collection.alias, frozenset())
            else:
                found = any(_same(value, _value(x, facts)) for x in collection)
            return found != negated
    return False


def matches(predicate: Predicate, facts: Mapping[str, Any], lists: Lists) -> bool:
    return evaluate(predicate.root, facts, lists)


# Payments as different as payments get: a predicate that matches every one of them would
# act on every payment ("true", ":amount: >= 0"), and is refused unless forced.
PROBES: Sequence[Mapping[str, Any]] = (
    {
        "amount": 1,
        "amount_in_eur": Decimal("0.01"),
        "currency": "eur",
        "risk_score": 0,
        "risk_level": "normal",
        "card_country": "DE",
        "shop_country": "DE",
        "ip_country": "DE",
        "card_brand": "visa",
        "card_funding": "debit",
        "cvc_check": "pass",
        "is_first_purchase": False,
        "customer_charge_count": 10,
        "payment_method_type": "card",
        "customer_email": "probe.normal@example.com",
        "card_fingerprint": "probe-normal",
        **{name: 0 for name, kind in ATTRIBUTES.items() if name.endswith(("_1m", "_1h", "_24h"))},
    },
    {
        "amount": 99_999_999,
        "amount_in_eur": Decimal(999_999),
        "currency": "usd",
        "risk_score": 99,
        "risk_level": "highest",
        "card_country": "US",
        "shop_country": "NL",
        "ip_country": "BR",
        "card_brand": "amex",
        "card_funding": "prepaid",
        "cvc_check": "fail",
        "is_first_purchase": True,
        "customer_charge_count": 0,
        "payment_method_type": "sepa_debit",
        "customer_email": "probe.risky@example.org",
        "card_fingerprint": "probe-risky",
        "amount_vs_customer_average": 100,
        "amount_vs_shop_average": 100,
        "disputes_for_card": 5,
        "early_fraud_warnings_for_card": 5,
        "early_fraud_warnings_for_customer": 5,
        **{
            name: 1000
            for name, kind in ATTRIBUTES.items()
            if name.endswith(("_1m", "_1h", "_24h", "_30d"))
        },
    },
)


def matches_everything(predicate: Predicate) -> bool:
    """True when the predicate matches every probe payment (and so, in practice, all)."""
    return all(matches(predicate, probe, {}) for probe in PROBES)
