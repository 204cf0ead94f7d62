"""Stripe's form-encoded requests: bracket notation in bodies and query strings.

Stripe's API (and so every official Stripe SDK) sends ``application/x-www-form-urlencoded``
bodies with nested parameters in bracket notation::

    amount=4999&metadata[order]=1001&payment_method_types[0]=card&expand[]=latest_charge
    items[0][price]=price_1&items[0][quantity]=2&address[country]=DE

:func:`decode_form` turns such a body into the same nested structure a JSON body has
(maps for ``a[key]``, lists for ``a[]``), so one set of request models validates both.
Values stay strings, and ``a[0]``-style indexes stay map keys: what a string or an
indexed map *means* (a number, a boolean, a list, "unset") depends on the field it is
for, so :class:`payments.platform.http.schemas.StrictModel` coerces them, for form
bodies only, from the field's type (see :func:`coerce_form_value`).

Query strings use the same notation (``created[gte]=...``, ``expand[0]=...``);
:func:`normalize_query` rewrites indexed array keys (``expand[0]``) to the ``expand[]``
form the routes declare.
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from urllib.parse import parse_qsl, urlencode

from payments.kernel.errors import InvalidRequest

#: True while the request being handled had a form-encoded body (set by the /v1 gate).
FORM_BODY: ContextVar[bool] = ContextVar("payments_form_body", default=False)

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")
_INDEXED = re.compile(r"^(.+)\[\d+\]$")
_INTEGER = re.compile(r"^-?[0-9]{1,18}$")
MAX_DEPTH = 8


class FormError(InvalidRequest):
    """A form body that cannot be decoded (bad encoding, conflicting keys)."""

    default_code = "invalid_form"


def _path(key: str) -> list[str]:
    match = _KEY.match(key)
    if match is None:
        raise FormError(f"Invalid parameter name: {key}", param=key)
    parts = [match.group(1), *_PART.findall(match.group(2))]
    if len(parts) > MAX_DEPTH:
        raise FormError(f"Parameter nested too deeply: {key}", param=key)
    if "" in parts[:-1]:
        raise FormError(
            f"Invalid parameter name: {key} (use indexes, e.g. items[0][price])", param=key
        )
    return parts


def decode_form(body: bytes) -> dict[str, Any]:
    """The nested parameters of a form-encoded body (later repeats of a key win)."""
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise FormError("The form-encoded request body is not valid UTF-8.") from None
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = _path(key)
        append = parts[-1] == ""  # a[]=x appends to the list a
        if append:
            parts = parts[:-1]
        node = root
        for depth, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            elif not isinstance(child, dict):
                raise _conflict(parts[: depth + 1])
            node = child
        last, current = parts[-1], node.get(parts[-1])
        if append:
            if current is None:
                node[last] = [value]
            elif isinstance(current, list):
                current.append(value)
            else:
                raise _conflict(parts)
        elif isinstance(current, dict | list):
            raise _conflict(parts)
        else:
            node[last] = value
    return root


def _conflict(parts: list[str]) -> FormError:
    name = parts[0] + "".join(f"[{p}]" for p in parts[1:])
    return FormError(f"Conflicting values for the parameter {name}.", param=name)


def normalize_query(query: bytes) -> bytes:
    """``expand[0]=a&expand[1]=b`` -> ``expand[]=a&expand[]=b``; other keys unchanged."""
    if b"%5B" not in query.upper() and b"[" not in query:
        return query
    try:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    except ValueError:
        return query
    rewritten = []
    for key, value in pairs:
        match = _INDEXED.match(key)
        rewritten.append((f"{match.group(1)}[]" if match else key, value))
    return urlencode(rewritten, safe="[]").encode("latin-1")


# ----------------------------------------------------------------- coercion by field type


def _members(annotation: Any) -> tuple[list[Any], bool]:
    """The non-None members of a (possibly Annotated, Optional) type, and whether None is one."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        args = get_args(annotation)
        members: list[Any] = []
        for arg in args:
            if arg is type(None):
                continue
            inner, _ = _members(arg)
            members += inner
        return members, type(None) in args
    return [annotation], annotation is None


def _scalar_kinds(members: list[Any]) -> set[type]:
    kinds: set[type] = set()
    for member in members:
        if get_origin(member) is Literal:
            kinds |= {type(v) for v in get_args(member)}
        elif isinstance(member, type):
            kinds.add(member)
    return kinds


def _list_item(members: list[Any]) -> Any | None:
    for member in members:
        if get_origin(member) in (list, tuple, set, frozenset):
            args = get_args(member)
            return args[0] if args else Any
    return None


def _dict_value(members: list[Any]) -> Any | None:
    for member in members:
        origin = get_origin(member)
        if origin is dict or (isinstance(origin, type) and issubclass(origin, Mapping)):
            args = get_args(member)
            return args[1] if len(args) == 2 else Any
    return None


def coerce_form_value(annotation: Any, value: Any) -> Any:
    """A form value as the field of type ``annotation`` takes it, as Stripe reads forms:

    - ``""`` unsets: None for an optional field, an empty map or list for a map or list;
    - ``"true"``/``"false"`` for a boolean field, digits for an integer field;
    - ``{"0": a, "1": b}`` (from ``f[0]=a&f[1]=b``) is the list ``[a, b]`` for a list field.

    Anything else is left for the model to validate (and refuse, naming the field).
    """
    members, optional = _members(annotation)
    item = _list_item(members)
    if value == "":
        if optional:
            return None
        if _dict_value(members) is not None:
            return {}
        if item is not None:
            return []
        return value
    if isinstance(value, str):
        kinds = _scalar_kinds(members)
        if str in kinds:
            return value
        if bool in kinds and value in ("true", "false"):
            return value == "true"
        if int in kinds and _INTEGER.match(value):
            return int(value)
        return value
    if isinstance(value, dict):
        if item is not None and value and all(k.isdigit() for k in value):
            ordered = [value[k] for k in sorted(value, key=int)]
            return [coerce_form_value(item, v) for v in ordered]
        dict_value = _dict_value(members)
        if dict_value is not None:
            return {k: coerce_form_value(dict_value, v) for k, v in value.items()}
        return value
    if isinstance(value, list) and item is not None:
        return [coerce_form_value(item, v) for v in value]
    return value
