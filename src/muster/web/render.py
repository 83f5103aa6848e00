"""Pages from Jinja2 templates, one environment per language with its catalogs installed."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from muster.web import i18n, words

STATIC_DIR = Path(__file__).parent / "static"
# Every page: nothing but this server's own scripts, styles and pictures, never in a frame.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@cache
def static_url(path: str) -> str:
    """A static file's address with its digest, so that a browser never keeps a stale copy."""
    file = STATIC_DIR / path
    if not file.is_file():
        raise FileNotFoundError(
            f"{file}: missing; the front-end files are installed by `make` (scripts/web-assets)"
        )
    return f"/static/{path}?v={hashlib.sha256(file.read_bytes()).hexdigest()[:12]}"


@cache
def environment(language: str, zone: str = "UTC") -> Environment:
    """The templates in `language`, showing moments in `zone` (the registry's time zone)."""
    env = Environment(
        loader=PackageLoader("muster.web", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    formats = i18n.Formats(language, zone)
    translate = i18n.translations(language).gettext
    env.filters["word"] = lambda value, table: translate(words.word(table, value))
    env.globals.update(
        static=static_url,
        fmt=formats,
        language=language,
        languages=i18n.LANGUAGES,
        language_names=i18n.NAMES,
    )
    return env


def page(
    language: str,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    headers: dict[str, str] | None = None,
    zone: str = "UTC",
) -> HTMLResponse:
    """A page (or a fragment for htmx) in `language`, its moments in `zone`, with the pages'
    security headers."""
    html = environment(language, zone).get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers={**PAGE_HEADERS, **(headers or {})})


def gettext(language: str, message: str, **params: Any) -> str:
    """One message in `language`, its `%(name)s` places filled from `params`."""
    text = i18n.translations(language).gettext(message)
    return text % params if params else text
