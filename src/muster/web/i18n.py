"""Languages: the gettext catalogs (Babel), the language of a request, dates and numbers.

Message ids are English, as gettext expects, so English needs no catalog of its own; Spanish,
the default, has one catalog per part of the interface (`locale/es/LC_MESSAGES/<part>.po`,
compiled into `.mo` files when Muster is installed), merged into one set of translations."""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

from muster.errors import MusterError

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"
LANGUAGE_COOKIE = "muster_lang"
NAMES = {"es": "Español", "en": "English"}  # each language named in itself


class CatalogsNotCompiledError(MusterError):
    """Raised when a catalog has no compiled `.mo` beside its `.po`."""


def N_(message: str) -> str:
    """Mark a message for the catalogs where it is written; it is translated where shown."""
    return message


def domains(language: str) -> list[str]:
    """The parts of the interface with a catalog in `language`."""
    return sorted(p.stem for p in (LOCALE_DIR / language / "LC_MESSAGES").glob("*.po"))


@cache
def translations(language: str) -> gettext.NullTranslations:
    """Every catalog of `language`, merged; English is the message ids themselves."""
    if language == "en":
        return NullTranslations()
    merged: Translations | None = None
    for domain in domains(language):
        mo = LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.mo"
        if not mo.exists():
            raise CatalogsNotCompiledError(
                f"{mo}: the catalog {domain!r} for {language!r} is not compiled; install Muster "
                "(`pip install -e .`, or `make`), which compiles every catalog"
            )
        found = Translations.load(str(LOCALE_DIR), [language], domain)
        assert isinstance(found, Translations)  # the .mo exists (checked above)
        if merged is None:
            merged = found
        else:
            merged.merge(found)
    return merged if merged is not None else NullTranslations()


def accepted(header: str | None) -> list[str]:
    """The languages of an `Accept-Language` header, most wanted first (RFC 9110 12.5.4)."""
    weighted: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        if not tag or tag == "*":
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            weighted.append((-q, i, tag.replace("-", "_")))
    return [tag for _q, _i, tag in sorted(weighted)]


def language_of(cookies: Mapping[str, str], accept_language: str | None) -> str:
    """The language a page is shown in: the one chosen (the language cookie), else the
    browser's preference among Muster's languages, else Spanish."""
    chosen = cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    found = negotiate_locale(accepted(accept_language), list(LANGUAGES), sep="_")
    return found.split("_")[0] if found else DEFAULT_LANGUAGE


class Formats:
    """Dates and numbers as the language writes them."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.locale = Locale.parse(language)

    def date(self, value: date | str | None, form: str = "medium") -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        return format_date(value, form, locale=self.locale)

    def datetime(self, value: datetime | str | None, form: str = "medium") -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return format_datetime(value, form, tzinfo=value.tzinfo, locale=self.locale)

    def number(self, value: float | int | None) -> str:
        return "" if value is None else format_decimal(value, locale=self.locale)

    def percent(self, value: float | None) -> str:
        return "" if value is None else format_percent(value, locale=self.locale)
