from __future__ import annotations

from payments.kernel.ids import PREFIXES, id_for, looks_like, new_id


def test_ids_are_prefixed_and_sort_in_creation_order() -> None:
    ids = [new_id("cus") for _ in range(2000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(looks_like("cus", i) for i in ids)


def test_every_object_has_its_prefix() -> None:
    assert id_for("payment_intent").startswith("pi_")
    assert id_for("event").startswith("evt_")
    assert len(set(PREFIXES.values())) == len(PREFIXES)


def test_a_foreign_string_does_not_look_like_an_id() -> None:
    assert not looks_like("cus", "cus_123")
    assert not looks_like("cus", id_for("charge"))
