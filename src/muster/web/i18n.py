"""Languages: the gettext catalogs (Babel), the language of a request, dates and numbers.

Message ids are English, as gettext expects, so English needs no catalog of its own; Spanish,
the default, has one catalog per part of the interface (`locale/es/LC_MESSAGES/<part>.po`,
compiled into `.mo` files when Muster is installed), merged into one set of translations."""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from functools import cache
from pathlib import Path

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_date, format_datetime, format_time, get_timezone_gmt
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

from muster.errors import MusterError
from muster.timezones import local, zone_named

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


Moment = datetime | str | None  # aware, or as stored (`…Z`, or `…+00:00` from before 0007)


class Formats:
    """Dates, times and numbers as the language writes them; moments in the registry's time
    zone (`MUSTER_TIMEZONE`), stored in UTC and shown as the clocks there read them."""

    def __init__(self, language: str, zone: tzinfo | str = UTC) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        self.zone = zone_named(zone) if isinstance(zone, str) else zone

    def local(self, value: datetime | str) -> datetime:
        """A moment in the registry's zone."""
        return local(value, self.zone)

    def date(self, value: date | datetime | str | None, form: str = "medium") -> str:
        """A day; of a moment, the day it is in the registry's zone."""
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = self.local(value) if len(value) > 10 else date.fromisoformat(value)
        if isinstance(value, datetime):
            value = self.local(value).date()
        return format_date(value, form, locale=self.locale)

    def datetime(self, value: Moment, form: str = "medium") -> str:
        """A day and time in the registry's zone, with the zone's offset (GMT-04:00)."""
        if value is None or value == "":
            return ""
        moment = self.local(value)
        shown = format_datetime(moment, form, tzinfo=self.zone, locale=self.locale)
        return f"{shown} {self.zone_name(moment)}"

    def time(self, value: Moment, form: str = "medium") -> str:
        """A time of day in the registry's zone (the page names the zone: `zone_name`)."""
        if value is None or value == "":
            return ""
        return format_time(self.local(value), form, tzinfo=self.zone, locale=self.locale)

    def zone_name(self, value: Moment = None) -> str:
        """The registry's zone as its offset from UTC at a moment (default now), as the
        language writes it: `GMT-04:00`."""
        moment = self.local(value) if value else datetime.now(self.zone)
        return get_timezone_gmt(moment, "long", locale=self.locale)

    def number(self, value: float | int | None) -> str:
        return "" if value is None else format_decimal(value, locale=self.locale)

    def percent(self, value: float | None) -> str:
        return "" if value is None else format_percent(value, locale=self.locale)
