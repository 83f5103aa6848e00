"""Languages: the browser's preference, the choice remembered, dates and numbers per language,
and catalogs that a test fails on when a message lacks its translation."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from muster.web import catalogs, i18n

WEB = Path(catalogs.__file__).parent


def test_the_browser_preference_orders_languages_by_weight() -> None:
    assert i18n.accepted("fr-CA;q=0.4, en-GB, es;q=0.9, *;q=0.1") == ["en_GB", "es", "fr_CA"]
    assert i18n.accepted("de;q=0, en;q=bad") == []
    assert i18n.accepted(None) == []


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, None, "es"),  # Spanish by default
        (None, "en-US,en;q=0.9", "en"),
        (None, "fr-FR, en;q=0.5", "en"),  # the first language Muster has
        (None, "pt-BR, fr", "es"),  # none of them: Spanish
        (None, "es-VE", "es"),
        ("en", "es-VE", "en"),  # the choice remembered wins over the browser
        ("xx", "en", "en"),  # a cookie naming no language of Muster's is ignored
    ],
)
def test_the_language_of_a_request(cookie: str | None, header: str | None, expected: str) -> None:
    cookies = {} if cookie is None else {i18n.LANGUAGE_COOKIE: cookie}
    assert i18n.language_of(cookies, header) == expected


def test_dates_and_numbers_are_written_as_the_language_writes_them() -> None:
    es, en = i18n.Formats("es"), i18n.Formats("en")
    assert es.date(date(2019, 3, 15)) == "15 mar 2019"
    assert en.date("2019-03-15") == "Mar 15, 2019"
    assert es.number(2000000) == "2.000.000"
    assert en.number(2000000) == "2,000,000"
    assert es.number(0.5) == "0,5"


def test_spanish_translations_are_loaded_from_the_compiled_catalogs() -> None:
    assert i18n.translations("es").gettext("Log out") == "Cerrar sesión"
    assert i18n.translations("en").gettext("Log out") == "Log out"


def test_every_message_has_its_spanish_translation() -> None:
    assert catalogs.problems() == []


def copy_of_the_interface(tmp_path: Path) -> Path:
    web = tmp_path / "web"
    shutil.copytree(WEB, web, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"))
    return web


def test_a_message_without_translation_fails_the_check(tmp_path: Path) -> None:
    web = copy_of_the_interface(tmp_path)
    home = web / "templates" / "home.html"
    home.write_text(home.read_text() + '{{ _("A message nobody translated") }}\n')
    assert catalogs.problems(web) == [
        "locale/es/LC_MESSAGES/common.po: 'A message nobody translated': not in the catalog "
        "(python -m muster.web.catalogs update)"
    ]


def test_an_empty_or_misfilled_translation_fails_the_check(tmp_path: Path) -> None:
    web = copy_of_the_interface(tmp_path)
    po = web / "locale" / "es" / "LC_MESSAGES" / "common.po"
    text = po.read_text()
    text = text.replace('msgstr "Cerrar sesión"', 'msgstr ""')
    text = text.replace('msgstr "Bienvenido, %(name)s"', 'msgstr "Bienvenido, %(nombre)s"')
    po.write_text(text)
    found = catalogs.problems(web)
    assert "locale/es/LC_MESSAGES/common.po: 'Log out': not translated" in found
    assert any("'Welcome, %(name)s'" in f and "nombre" in f for f in found), found


# The pages' Content-Security-Policy allows no inline script or style: none is written.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style", re.I)


def test_no_template_holds_inline_script_or_style() -> None:
    templates = sorted((WEB / "templates").rglob("*.html"))
    assert templates
    for template in templates:
        text = template.read_text()
        # a data block (type application/json) is not a script: the policy lets it be
        text = re.sub(r'<script type="application/json"[^>]*>', "", text)
        assert not INLINE.search(text), f"{template.name}: {INLINE.search(text)}"


def test_a_message_translated_differently_in_two_parts_fails_the_check(tmp_path: Path) -> None:
    # the parts' catalogs are merged into one set of translations: only one could win
    web = copy_of_the_interface(tmp_path)
    other = web / "locale" / "es" / "LC_MESSAGES" / "zz.po"
    other.write_text('msgid ""\nmsgstr ""\n\nmsgid "Log out"\nmsgstr "Salir"\n')
    assert catalogs.disagreements(web) == [
        "es: 'Log out' is translated differently: 'Cerrar sesión' in common; 'Salir' in zz"
    ]
