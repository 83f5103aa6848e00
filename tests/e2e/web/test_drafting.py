"""The clerk's roll import by upload and order drafting, in a real browser: a file with errors
shows every error and imports nothing, a good one shows its progress and becomes a named
enlistment draft, and a strike-off of a demo member picked from search becomes a draft that
the registry keeps for its authority's signature."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from muster.domain.roll_import import ROLL_COLUMNS
from muster.registry.signing_flow import load_draft
from muster.store.dialects import make_engine
from muster.store.tables import roll
from tests.e2e.web.conftest import Demo, focused_on, log_in, new_page
from tests.factories import roll_row

COUNTER = {"width": 1366, "height": 768}
GNB_COMMANDER = "CG-GNB"  # the demo's authority that strikes members of the GNB off
WORDS = {
    "es": {
        "upload": "Subir y revisar",
        "checking": "Revisando las filas",
        "uploading": "Subiendo el archivo",
        "nothing": "El archivo tiene 151 problema(s); no se importó nada.",
        "problems": "Problemas {first} a {last} de {count} en {file}",
        "next": "Problemas siguientes",
        "drafted": "Borrador hecho: orden de alta {number}",
        "make": "Hacer el borrador",
        "made": "Borrador hecho: orden de baja",
        "remove": "Quitar",
        "refused": "rechazada para 1 persona(s)",
        "not_on_roll": "Línea 1: GNB-NADIE-1: no está en el registro",
    },
    "en": {
        "upload": "Upload and check",
        "checking": "Checking the rows",
        "uploading": "Uploading the file",
        "nothing": "The file has 151 problem(s); nothing was imported.",
        "problems": "Problems {first} to {last} of {count} in {file}",
        "next": "Next problems",
        "drafted": "Draft made: enlistment order {number}",
        "make": "Make the draft",
        "made": "Draft made: strike-off order",
        "remove": "Remove",
        "refused": "refused for 1 subject(s)",
        "not_on_roll": "Line 1: GNB-NADIE-1: not on the roll",
    },
}


def roll_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ROLL_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode()


def new_rows(n: int, start: int) -> list[list[str]]:
    """People no demo registry holds (serial numbers and cédulas far from the demo's)."""
    return [roll_row(80_000_000 + i) for i in range(start, start + n)]


def roll_size(page: Any) -> int:
    stats = page.request.get("/api/v1/stats").json()
    return int(stats["total"])


def absent_member(demo: Demo) -> dict[str, str]:
    """A member of the National Guard absent without leave (whom its commander may strike
    off), from the demo's registry: the demo's example absentee may be of another component."""
    engine = make_engine(demo.env["MUSTER_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            row = conn.execute(
                select(roll)
                .where(roll.c.status == "absent", roll.c.component == "GNB")
                .order_by(roll.c.person_id)
            ).first()
    finally:
        engine.dispose()
    assert row is not None, "the demo has no absent member of the GNB"
    return {"serial_number": row.serial_number, "name": f"{row.given_names} {row.surnames}"}


def draft_of(demo: Demo, text: str) -> Any:
    """The draft named in the page, read from the demo's registry."""
    found = re.search(r"\b(d_[A-Za-z0-9_-]{16})\b", text)
    assert found, text
    engine = make_engine(demo.env["MUSTER_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return load_draft(conn, found[1])
    finally:
        engine.dispose()


def upload(page: Any, name: str, data: bytes, language: str) -> None:
    page.set_input_files("#file", files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    page.get_by_role("button", name=WORDS[language]["upload"]).click()


def test_a_roll_file_with_errors_shows_every_one_and_a_good_one_becomes_a_draft(
    browser: Any, demo: Demo, language: str, viewport: dict[str, int]
) -> None:
    words = WORDS[language]
    page = new_page(browser, demo, language, viewport)
    log_in(page, demo, "clerk")
    page.goto("/imports")
    focused_on(page, "file")
    before = roll_size(page)
    start = (0 if language == "es" else 10_000) + (0 if viewport == COUNTER else 5_000)

    bad = new_rows(150, start)
    for row in bad:
        row[4] = "15/03/1990"  # birth_date, not as YYYY-MM-DD
    bad[20][6] = "MARINA"  # and one component unknown
    upload(page, "con-errores.csv", roll_csv(bad), language)
    table = page.get_by_role("table")
    caption = words["problems"].format(first=1, last=100, count=151, file="con-errores.csv")
    expect(table.get_by_text(caption)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(words["nothing"])
    expect(table.get_by_role("row")).to_have_count(101)  # its header and 100 problems
    first = table.get_by_role("row").nth(1).inner_text()
    assert "2" in first and "birth_date" in first and "15/03/1990" in first
    expect(table.get_by_role("row").filter(has_text="MARINA")).to_contain_text("22")
    page.get_by_role("link", name=words["next"]).click()
    caption = words["problems"].format(first=101, last=151, count=151, file="con-errores.csv")
    expect(page.get_by_role("table").get_by_text(caption)).to_be_visible()
    expect(page.get_by_role("table").get_by_role("row").last).to_contain_text("151")
    assert roll_size(page) == before  # nothing imported

    page.goto("/imports")
    held: list[Any] = []  # the check's state, held back until its first progress is seen
    polls = re.compile(r".*/imports/[A-Za-z0-9_-]{20,}(\?.*)?$")
    page.route(polls, lambda route: held.append(route))
    upload(page, "alta.csv", roll_csv(new_rows(40, start + 1_000)), language)
    expect(page.get_by_role("progressbar", name=words["checking"])).to_be_visible()
    expect(page.get_by_role("progressbar", name=words["uploading"])).to_be_visible()
    page.unroute(polls)
    for route in held:
        route.continue_()
    notice = page.get_by_role("status").filter(has_text="ENL-REG-FANB-")
    notice.wait_for()
    draft = draft_of(demo, page.locator("#import-job").inner_text())
    assert draft.content.kind.value == "enlistment"
    assert words["drafted"].format(number=draft.content.number) in notice.inner_text()
    assert draft.content.subjects.count == 40 and draft.content.authority == "REG-FANB"
    assert roll_size(page) == before  # on the roll only once its authority signs it
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits
    assert page.console_errors == []


def pick_from_search(page: Any, text: str, ref: str) -> None:
    """Find a person by name and add them with the keyboard alone."""
    page.get_by_role("searchbox").focus()
    page.keyboard.type(text)
    page.locator(f'#subject-results .add-subject[data-ref="{ref}"]').wait_for()
    page.keyboard.press("ArrowDown")
    for _ in range(20):
        if page.evaluate("document.activeElement.dataset.ref") == ref:
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_role("searchbox")).to_be_focused()  # back in the search, for the next


def test_a_strike_off_of_a_member_picked_from_search_is_drafted(
    browser: Any, demo: Demo, language: str, viewport: dict[str, int]
) -> None:
    words = WORDS[language]
    absent = absent_member(demo)
    page = new_page(browser, demo, language, viewport)
    log_in(page, demo, "clerk")
    page.goto("/drafts/new")
    page.select_option("#kind", "strike-off")
    page.select_option("#authority", GNB_COMMANDER)
    pick_from_search(page, absent["name"], absent["serial_number"])
    picked = page.locator("#picked").get_by_role("listitem")
    assert picked.count() == 1 and absent["name"] in picked.inner_text()
    number = page.input_value("#number")
    assert number.startswith("BAJA-")
    page.get_by_role("button", name=words["make"]).click()
    notice = page.locator("#made")
    expect(notice).to_contain_text(words["made"])
    expect(notice).to_contain_text(number)
    draft = draft_of(demo, notice.inner_text())
    assert draft.content.kind.value == "strike-off" and draft.content.number == number
    assert [ref for _pid, ref in draft.subjects] == [absent["serial_number"]]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_refused_subjects_are_each_named_and_no_draft_is_kept(
    browser: Any, demo: Demo, language: str
) -> None:
    words = WORDS[language]
    active = demo.examples["reinstated under the 2019 amnesty"]  # active: not to be struck off
    ref = active["serial_number"] or active["national_id"]
    page = new_page(browser, demo, language, COUNTER)
    log_in(page, demo, "clerk")
    assert page.request.get(f"/api/v1/persons/{ref}").json()["component"] == "GNB"
    page.goto("/drafts/new")
    page.select_option("#authority", GNB_COMMANDER)
    page.set_input_files(
        "#subjects_file",
        files=[{"name": "sujetos.txt", "mimeType": "text/plain", "buffer": b"GNB-NADIE-1\n"}],
    )
    page.get_by_role("button", name=words["make"]).click()
    expect(page.get_by_role("alert")).to_contain_text(words["not_on_roll"])

    pick_from_search(page, active["name"], ref)
    page.get_by_role("button", name=words["make"]).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(words["refused"])
    expect(alert).to_contain_text(f"{ref}: ")
    assert page.locator("#made").count() == 0
    # what was asked for is kept in the page, to correct and send again
    assert page.locator("#picked").get_by_role("button", name=words["remove"]).count() == 1
