"""The web interface's gettext catalogs: which messages each part's sources hold, and the
Spanish catalogs kept up to date with them.

Each part of the interface has its own catalog (`locale/es/LC_MESSAGES/<part>.po`), so that
work on one part never touches another's file: a page module `pages/<part>.py` and its
templates `templates/<part>/` give the part its name; everything else is `common`.

    python -m muster.web.catalogs update   # add new messages to the catalogs, drop old ones
    python -m muster.web.catalogs check    # every message translated (what the tests run)
    python -m muster.web.catalogs compile  # the .mo files (installing Muster does it)

This module needs Babel only: installing Muster runs `compile_all` before Muster's other
requirements exist (hatch_build.py).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

WEB = Path(__file__).parent
LOCALE = WEB / "locale"
TRANSLATED = ("es",)  # English is the message ids themselves
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
METHODS = {".py": "python", ".html": "jinja2.ext:babel_extract"}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
SHARED_MODULES = ("__init__", "auth")  # pages every role shares: in `common`
HEADER_DATE = datetime(2026, 12, 3, tzinfo=UTC)
UPDATE = "python -m muster.web.catalogs update"


def part_of(path: Path, web: Path = WEB) -> str:
    """The catalog a source file's messages go to."""
    rel = path.relative_to(web)
    if rel.parts[0] == "templates" and len(rel.parts) > 2:
        return rel.parts[1]
    if rel.parts[0] == "pages" and rel.stem not in SHARED_MODULES:
        return rel.stem
    return "common"


def sources(web: Path = WEB) -> Iterator[Path]:
    for path in sorted(web.rglob("*")):
        if path.suffix in METHODS and "static" not in path.relative_to(web).parts:
            yield path


def extracted(web: Path = WEB) -> dict[str, Catalog]:
    """Every message of the sources, by part."""
    parts: dict[str, Catalog] = {}
    for path in sources(web):
        part = part_of(path, web)
        catalog = parts.setdefault(part, Catalog(domain=part, project="Muster"))
        options = JINJA_OPTIONS if path.suffix == ".html" else {}
        for line, message, comments, context in extract_from_file(
            METHODS[path.suffix], str(path), keywords=KEYWORDS, options=options
        ):
            where = (str(path.relative_to(web)), line)
            catalog.add(message, locations=[where], auto_comments=comments, context=context)
    return parts


def po_path(language: str, part: str, web: Path = WEB) -> Path:
    return web / "locale" / language / "LC_MESSAGES" / f"{part}.po"


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, abort_invalid=True)


def write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A header that never changes by itself (git keeps the dates and the authors).
    catalog.fuzzy = False
    catalog.project, catalog.version = "Muster", ""
    catalog.creation_date = catalog.revision_date = HEADER_DATE
    catalog.last_translator = catalog.language_team = "Muster <muster@example.org>"
    catalog.msgid_bugs_address = "muster@example.org"
    catalog.copyright_holder = "the Muster developers"
    with path.open("wb") as f:
        # Sorted, without source lines: two changes to one part touch only their own entries.
        write_po(f, catalog, width=100, no_location=True, sort_output=True, omit_header=False)


def update() -> list[str]:
    """Bring every catalog up to date with the sources; the new messages are left untranslated
    (and `check` fails until someone translates them)."""
    done = []
    for language in TRANSLATED:
        for part, template in extracted().items():
            path = po_path(language, part)
            if path.exists():
                catalog = read(path)
                catalog.update(template, no_fuzzy_matching=True)
                catalog.obsolete.clear()
            else:
                catalog = Catalog(locale=language, domain=part, project="Muster")
                catalog.update(template, no_fuzzy_matching=True)
            write(path, catalog)
            done.append(str(path.relative_to(WEB)))
    return done


def problems(web: Path = WEB) -> list[str]:
    """Every message of the sources that lacks a translation, or whose translation does not
    fill the same places; every catalog entry that no source uses."""
    found = []
    parts = extracted(web)
    for language in TRANSLATED:
        for part, template in parts.items():
            path = po_path(language, part, web)
            name = path.relative_to(web)
            if not path.exists():
                found.append(f"{name}: missing (python -m muster.web.catalogs update)")
                continue
            catalog = read(path)
            for message in template:
                if not message.id:
                    continue
                have = catalog.get(message.id, message.context)
                where = f"{name}: {message.id!r}"
                if have is None:
                    found.append(f"{where}: not in the catalog ({UPDATE})")
                elif not have.string or (isinstance(have.string, tuple) and not all(have.string)):
                    found.append(f"{where}: not translated")
                elif have.fuzzy:
                    found.append(f"{where}: marked fuzzy")
                else:
                    found += [f"{where}: {e}" for e in catalog_errors(catalog, have)]
            used = {m.id for m in template if m.id}
            found += [
                f"{name}: {m.id!r}: no source uses it ({UPDATE})"
                for m in catalog
                if m.id and m.id not in used
            ]
    return found + disagreements(web)


def disagreements(web: Path = WEB) -> list[str]:
    """Every message translated differently in two parts: the parts' catalogs are merged into
    one set of translations, where only one of them could win."""
    found = []
    for language in TRANSLATED:
        seen: dict[str, dict[str, list[str]]] = {}
        for po in sorted((web / "locale" / language / "LC_MESSAGES").glob("*.po")):
            for message in read(po):
                if message.id and message.string:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    seen.setdefault(key, {}).setdefault(str(message.string), []).append(po.stem)
        for key, strings in sorted(seen.items()):
            if len(strings) > 1:
                each = "; ".join(f"{s!r} in {', '.join(parts)}" for s, parts in strings.items())
                found.append(f"{language}: {key!r} is translated differently: {each}")
    return found


def compile_all(web: Path = WEB) -> list[Path]:
    """Write each catalog's `.mo` beside its `.po`; a broken catalog stops the install."""
    from babel.messages.mofile import write_mo

    written = []
    for po in sorted((web / "locale").glob("*/LC_MESSAGES/*.po")):
        catalog = read(po)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        written.append(mo)
    return written


def catalog_errors(catalog: Catalog, message: Message) -> list[str]:
    from babel.messages.checkers import checkers

    errors = []
    for checker in checkers:
        try:
            checker(catalog, message)
        except Exception as err:  # babel's TranslationError, one per failed check
            errors.append(str(err))
    return errors


def main(argv: list[str]) -> int:
    if argv == ["update"]:
        for name in update():
            print(name)
        return 0
    if argv == ["compile"]:
        for path in compile_all():
            print(path.relative_to(WEB))
        return 0
    if argv == ["check"]:
        found = problems()
        for problem in found:
            print(problem, file=sys.stderr)
        return 1 if found else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
