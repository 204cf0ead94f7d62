"""Languages of the dashboard (Babel): English and German.

The catalogue is ``locale/de/LC_MESSAGES/dashboard.po``; ``python -m
payments.dashboard.i18n`` compiles it to the ``.mo`` the pages load (a test checks the
compiled file is fresh and that every text of the templates is translated).
"""

from __future__ import annotations

import functools
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import NullTranslations, Translations

from payments.kernel.money import exponent

LANGUAGES = ("en", "de")
DEFAULT = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "dashboard"


@functools.cache
def translations(language: str) -> NullTranslations:
    if language == DEFAULT:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [language], domain=DOMAIN)


def negotiate(requested: str | None, accept_language: str | None) -> str:
    """The ``lang`` asked for (cookie or query), else the browser's preference, else en."""
    if requested in LANGUAGES:
        return requested
    preferred = []
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().replace("-", "_")
        if tag:
            preferred.append(tag)
    chosen = Locale.negotiate(preferred, list(LANGUAGES)) if preferred else None
    return str(chosen.language) if chosen else DEFAULT


def money(amount: int, currency: str, language: str) -> str:
    """Minor units shown in the language's format: 12500 eur -> €125.00 / 125,00 €."""
    value = Decimal(amount).scaleb(-exponent(currency))
    return format_currency(value, currency.upper(), locale=language)


def when(moment: datetime | None, language: str) -> str:
    if moment is None:
        return ""
    return format_datetime(moment, "short", tzinfo=None, locale=language) + " UTC"


def extract_messages() -> set[str]:
    """Every text the templates (``_()``) and page modules (``gettext(request, ...)``) ask
    to translate literally."""
    from babel.messages.extract import extract_from_dir

    found: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(
        str(Path(__file__).parent),
        [("templates/**.html", "jinja2"), ("**.py", "python")],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords={"_": None, "gettext": (2,)},
    ):
        text = message[0] if isinstance(message, tuple) else message
        if text:
            found.add(text)
    return found


def compiled(po: Path, language: str) -> bytes:
    import io

    with po.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def compile_catalogues() -> list[Path]:
    written = []
    for language in LANGUAGES:
        po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po.exists():
            continue
        mo = po.with_suffix(".mo")
        mo.write_bytes(compiled(po, language))
        written.append(mo)
    return written


if __name__ == "__main__":  # pragma: no cover
    for path in compile_catalogues():
        print(f"compiled {path}")  # noqa: T201
