"""The suite runs from a fresh clone with nothing beside it: the Stripe fixtures it
uses are vendored under ``tests/fixtures/stripe`` (with their licence and source)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
VENDORED = TESTS / "fixtures" / "stripe"


def _extract_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("extract", VENDORED / "extract.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vendored_stripe_fixtures_hold_every_resource_the_fake_uses_with_licence_and_source() -> (
    None
):
    resources = json.loads((VENDORED / "fixtures.json").read_text())["resources"]
    assert sorted(resources) == sorted(_extract_module().RESOURCES)
    assert "MIT License" in (VENDORED / "LICENSE").read_text()
    readme = (VENDORED / "README.md").read_text()
    assert "github.com/stripe/openapi" in readme and "MIT" in readme


def test_no_test_reads_anything_outside_the_repository() -> None:
    outside = re.compile(r"""parent\s*/\s*["']shared["']|\.\./shared|/work/""")
    offenders = [
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if outside.search(path.read_text()) and path != Path(__file__).resolve()
    ]
    assert offenders == []


def test_vendored_fixtures_equal_a_fresh_extract_of_a_given_fixtures3_json() -> None:
    """Set PAYMENTS_STRIPE_FIXTURES3 to a downloaded fixtures3.json to check the copy."""
    given = os.environ.get("PAYMENTS_STRIPE_FIXTURES3")
    if not given:
        pytest.skip("PAYMENTS_STRIPE_FIXTURES3 not set (not needed to run the suite)")
    module = _extract_module()
    assert json.loads((VENDORED / "fixtures.json").read_text()) == module.extract(Path(given))
