"""The officer's screening screen in a real browser, with the keyboard alone: the demo's
struck-off deserter, a reservist with a valid travel authorization, an absent member, a
traveler not on the roll and a namesake who shows only a name, each with the right banner and
reasons; a zone that fails its checks; Escape for the next traveler."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from muster.documents.mrz_build import make_td1, make_td2, make_td3
from muster.store.dialects import make_engine
from muster.store.tables import order_subjects, orders, roll
from tests.e2e.web.conftest import Demo, focused_on, log_in, new_page

DAY = date(2019, 3, 15)  # the demo screens as on this day
EXPIRY = date(2026, 1, 1)
COUNTER = {"width": 1366, "height": 768}
WORDS = {
    "es": {
        "clear": "Libre",
        "authorized": "Autorizado",
        "refer": "Remitir",
        "deny": "Denegado",
        "identified": "Identificado en el registro.",
        "not_on_roll": "No es una persona del registro",
        "uncertain": "Identidad incierta",
        "no_one": "Nadie del registro se parece lo suficiente.",
        "missing": "Ninguna vigente el 15 mar 2019.",
        "birth": "Fecha de nacimiento: el dígito de control es incorrecto",
        "fails": "El documento no pasa sus controles",
        "next": "Siguiente viajero",
        "struck_off": "dado de baja",
    },
    "en": {
        "clear": "Clear",
        "authorized": "Authorized",
        "refer": "Refer",
        "deny": "Deny",
        "identified": "Identified on the roll.",
        "not_on_roll": "Not a person on the roll",
        "uncertain": "Identity uncertain",
        "no_one": "No one on the roll is close enough.",
        "missing": "None valid on Mar 15, 2019.",
        "birth": "Birth date: the check digit is wrong",
        "fails": "The document fails its checks",
        "next": "Next traveler",
        "struck_off": "struck off",
    },
}


def roll_row(demo: Demo, *conditions: Any) -> Any:
    engine = make_engine(demo.env["MUSTER_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            query = select(roll).where(*conditions).order_by(roll.c.person_id)
            return conn.execute(query).first()
    finally:
        engine.dispose()


def authorized_reservist(demo: Demo) -> tuple[Any, Any]:
    """A reservist of the demo with a travel authorization valid on its screening day."""
    engine = make_engine(demo.env["MUSTER_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            found = conn.execute(
                select(roll, orders.c.number, orders.c.valid_from, orders.c.valid_until)
                .join(order_subjects, order_subjects.c.person_id == roll.c.person_id)
                .join(orders, orders.c.seq == order_subjects.c.order_seq)
                .where(
                    orders.c.kind == "travel-authorization",
                    orders.c.valid_from <= DAY,
                    orders.c.valid_until >= DAY,
                    roll.c.category == "reserve",
                    roll.c.status == "active",
                )
                .order_by(orders.c.seq)
            ).first()
    finally:
        engine.dispose()
    assert found is not None, "the demo has reservists authorised on its screening day"
    return found, found.number


def passport(row: Any, number: str = "123456789") -> list[str]:
    return make_td3(
        surnames=row.surnames,
        given_names=row.given_names,
        number=number,
        birth=row.birth_date,
        sex=row.sex,
        expiry=EXPIRY,
        personal=row.national_id.replace("-", ""),
    )


def officer_screen(browser: Any, demo: Demo, language: str, viewport: dict[str, int]) -> Any:
    page = new_page(browser, demo, language, viewport)
    log_in(page, demo, "oficial")
    page.wait_for_url("**/screen")  # the officer lands on the screen
    focused_on(page, "document")  # the cursor waits in the document field: no click
    return page


def read_zone(page: Any, lines: list[str]) -> None:
    """A reader in keyboard mode: each line typed, then Enter; no click."""
    for line in lines:
        page.keyboard.type(line)
        page.keyboard.press("Enter")


def type_identity(page: Any, values: dict[str, str]) -> None:
    """Tab from the document field to the identity form, type, and Enter."""
    page.keyboard.press("Escape")
    focused_on(page, "document")
    order = ["given_names", "surnames", "birth_date", "national_id", "document_number"]
    page.keyboard.press("Tab")  # the document form's button
    page.keyboard.press("Tab")
    for name in order:
        focused_on(page, name)
        page.keyboard.type(values.get(name, ""))
        if name == "document_number":
            page.keyboard.press("Enter")
        else:
            page.keyboard.press("Tab")


def banner(page: Any, word: str) -> Any:
    shown = page.get_by_test_id("decision")
    shown.wait_for()
    assert shown.get_by_text(word, exact=True).is_visible(), shown.inner_text()
    return shown


def reasons(page: Any) -> str:
    text: str = page.locator(".reason-list").inner_text()
    return text


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_the_struck_off_deserter_read_from_the_passport(
    browser: Any, demo: Demo, language: str, viewport: dict[str, int]
) -> None:
    deserter = roll_row(demo, roll.c.status == "struck_off")
    words = WORDS[language]
    page = officer_screen(browser, demo, language, viewport)
    read_zone(page, passport(deserter))
    # The demo's directive refers a deserter to military justice (docs/policy.md).
    banner(page, words["refer"])
    assert page.evaluate("document.activeElement.dataset.decision") == "refer"
    said = reasons(page)
    assert words["identified"] in said
    assert "Dado de baja por deserción: el caso corresponde a la justicia militar" in said
    person = page.locator(".person").inner_text()
    assert deserter.former_serials.split(";")[-1] in person  # the serial number last held
    assert words["struck_off"] in person
    assert "V-" not in person and deserter.unit not in person  # no cédula, no unit
    assert page.get_by_text("Crossing" if language == "en" else "Paso").first.is_visible()
    assert fits(page)
    assert page.console_errors == []


def test_a_reservist_with_a_valid_authorization_typed_by_hand(
    browser: Any, demo: Demo, language: str
) -> None:
    reservist, order = authorized_reservist(demo)
    words = WORDS[language]
    page = officer_screen(browser, demo, language, COUNTER)
    type_identity(
        page,
        {
            "given_names": reservist.given_names,
            "surnames": reservist.surnames,
            "birth_date": reservist.birth_date.strftime("%d/%m/%Y"),
            "national_id": reservist.national_id,
        },
    )
    banner(page, words["authorized"])
    said = reasons(page)
    assert "Militar activo o de reserva: requiere hoja de comisión o autorización" in said
    assert order in said
    assert order in page.locator(".authorization").inner_text()


def test_an_absent_member_is_denied(browser: Any, demo: Demo, language: str) -> None:
    absent = roll_row(demo, roll.c.status == "absent")
    words = WORDS[language]
    page = officer_screen(browser, demo, language, COUNTER)
    card = make_td2(
        surnames=absent.surnames,
        given_names=absent.given_names,
        number="A1234567",
        nationality="VEN",
        state="VEN",
        birth=absent.birth_date,
        sex=absent.sex,
        expiry=EXPIRY,
    )
    read_zone(page, card)
    banner(page, words["deny"])
    assert "Ausente sin permiso: no puede salir del país" in reasons(page)


def test_a_traveler_not_on_the_roll_is_clear(browser: Any, demo: Demo, language: str) -> None:
    words = WORDS[language]
    page = officer_screen(browser, demo, language, COUNTER)
    card = make_td1(
        surnames="Kowalska Nowak",
        given_names="Agnieszka",
        number="PL9876543",
        nationality="POL",
        state="POL",
        birth=date(1990, 5, 5),
        sex="F",
        expiry=EXPIRY,
    )
    read_zone(page, card)  # three lines of 30: screened after the third
    banner(page, words["clear"])
    said = reasons(page)
    assert words["no_one"] in said and words["not_on_roll"] in said
    assert page.locator(".person").count() == 0


def test_a_namesake_who_shows_only_a_name_is_referred_never_denied(
    browser: Any, demo: Demo, language: str
) -> None:
    absent = roll_row(demo, roll.c.status == "absent")
    words = WORDS[language]
    page = officer_screen(browser, demo, language, COUNTER)
    type_identity(page, {"given_names": absent.given_names, "surnames": absent.surnames})
    banner(page, words["refer"])
    assert words["uncertain"] in reasons(page)


def test_a_bad_check_digit_names_the_field_and_the_identity_is_typed_next(
    browser: Any, demo: Demo, language: str
) -> None:
    someone = roll_row(demo, roll.c.status == "discharged")
    words = WORDS[language]
    page = officer_screen(browser, demo, language, COUNTER)
    lines = passport(someone)
    broken = lines[1][:19] + str((int(lines[1][19]) + 1) % 10) + lines[1][20:]
    read_zone(page, [lines[0], broken])
    alert = page.get_by_role("alert")
    assert words["fails"] in alert.inner_text()
    assert words["birth"] in alert.inner_text()
    focused_on(page, "given_names")  # the cursor waits in the typed identity
    page.keyboard.type(someone.given_names)
    page.keyboard.press("Tab")
    page.keyboard.type(someone.surnames)
    page.keyboard.press("Tab")
    page.keyboard.type(someone.birth_date.isoformat())
    page.keyboard.press("Enter")
    banner(page, words["clear"])  # discharged: free to leave
    assert page.locator(".notice").is_visible()  # screened on the identity typed


def test_escape_brings_the_next_traveler(browser: Any, demo: Demo, language: str) -> None:
    words = WORDS[language]
    page = officer_screen(browser, demo, language, COUNTER)
    stranger = make_td3(
        surnames="Blackwood",
        given_names="Imogen",
        number="X12345678",
        nationality="GBR",
        state="GBR",
        birth=date(1988, 2, 2),
        sex="F",
        expiry=EXPIRY,
    )
    read_zone(page, stranger)
    banner(page, words["clear"])
    assert page.get_by_text("Esc", exact=True).is_visible()  # the key is shown
    page.keyboard.press("Escape")
    focused_on(page, "document")
    assert page.get_by_test_id("decision").count() == 0
    assert page.get_by_text(words["next"], exact=True).is_visible()
    assert page.input_value("#document") == ""
    read_zone(page, stranger)  # and the next one is screened as the first was
    banner(page, words["clear"])


def test_the_shift_is_set_once_and_remembered(browser: Any, demo: Demo) -> None:
    page = officer_screen(browser, demo, "en", COUNTER)
    assert page.locator("#post").input_value() == "SBOL"  # bound to one post: chosen
    assert page.get_by_label("Exit").is_checked()  # direction starts at exit
    page.locator("#post").focus()
    page.keyboard.press("Tab")  # to the checked radio button
    page.keyboard.press("ArrowRight")  # to entry
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    focused_on(page, "document")
    assert page.get_by_label("Entry").is_checked()
    assert "SBOL, entry" in page.locator(".shift-now").inner_text()
    page.goto("/home")
    page.goto("/screen")
    assert page.get_by_label("Entry").is_checked()  # remembered for the session
