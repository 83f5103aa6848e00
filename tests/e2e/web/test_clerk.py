"""The clerk's pages in a real browser, in Spanish and English: the roll search finds a demo
member by a misspelt name (one letter wrong, accents dropped) as the clerk types, and by a
name written as a travel document's zone writes it; the person's page shows the identity, the
service record and the history; an order link opens the order, and a subject link leads back."""

from __future__ import annotations

import json
import unicodedata
import urllib.parse
import urllib.request
from typing import Any

import pytest

from tests.e2e.web.conftest import Demo, focused_on, log_in, new_page

DESERTER = "deserter (struck off 2018-12-21)"
STRIKE_OFF = "CG-GNB-OA-2018-12-21"
WORDS = {
    "es": {
        "search": "Búsqueda en el registro",
        "found": "encontrad",
        "typo": "error de tipeo",
        "history": "Historial de órdenes",
        "strike-off": "baja",
        "struck off": "dado de baja",
        "order": "Orden",
        "subjects": "Personas",
        "next": "Siguiente",
        "not found": "Persona no encontrada",
        "identity": "Identidad",
    },
    "en": {
        "search": "Roll search",
        "found": "found",
        "typo": "typo",
        "history": "History of orders",
        "strike-off": "strike-off",
        "struck off": "struck off",
        "order": "Order",
        "subjects": "Subjects",
        "next": "Next",
        "not found": "Person not found",
        "identity": "Identity",
    },
}


def bare(text: str) -> str:
    """Upper case without accents, as a clerk in a hurry types a name."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def one_letter_wrong(word: str) -> str:
    """The word with the letter in its middle replaced by another one."""
    at = len(word) // 2
    return word[:at] + ("X" if word[at] != "X" else "Y") + word[at + 1 :]


def person(demo: Demo, ref: str) -> dict[str, Any]:
    """The demo person as the API gives them (their given names and surnames apart)."""
    body = json.dumps({"name": "clerk", "password": demo.logins["clerk"]}).encode()
    login = urllib.request.Request(
        f"{demo.url}/api/v1/auth/login", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(login) as answer:
        token = json.load(answer)["token"]
    asked = urllib.request.Request(
        f"{demo.url}/api/v1/persons/{urllib.parse.quote(ref)}",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(asked) as answer:
        found: dict[str, Any] = json.load(answer)
        return found


def misspelt(p: dict[str, Any]) -> str:
    """Given names and surnames, accents dropped, one letter of the longest surname wrong."""
    surnames = bare(p["surnames"]).split()
    longest = max(range(len(surnames)), key=lambda i: len(surnames[i]))
    surnames[longest] = one_letter_wrong(surnames[longest])
    return f"{bare(p['given_names']).lower()} {' '.join(surnames).lower()}"


def zone_name(p: dict[str, Any]) -> str:
    """The name as a passport's zone writes it: SURNAMES<<GIVEN<NAMES."""
    return bare(p["surnames"]).replace(" ", "<") + "<<" + bare(p["given_names"]).replace(" ", "<")


def first_result(page: Any) -> Any:
    return page.locator("#results ol.found > li").first


def test_the_clerk_finds_a_member_by_a_misspelt_name_as_they_type(
    browser: Any, demo: Demo, language: str, viewport: dict[str, int]
) -> None:
    words = WORDS[language]
    deserter = person(demo, demo.examples[DESERTER]["national_id"])
    page = new_page(browser, demo, language, viewport)
    log_in(page, demo, "clerk")
    assert page.url.endswith("/roll")  # where a clerk lands
    assert page.get_by_role("heading", name=words["search"]).is_visible()
    assert page.get_by_text("GONZALEZ<<MARIA<JOSE").is_visible()  # the hint's example, as text
    focused_on(page, "q")  # the cursor waits in the search box
    page.keyboard.type(misspelt(deserter))  # no Enter: the results come as the clerk types
    page.wait_for_timeout(3000)
    print(
        "DEBUG",
        misspelt(deserter),
        deserter["national_id"],
        page.url,
        page.locator("#results").inner_text()[:3000],
    )
    best = first_result(page)
    best.get_by_text(deserter["national_id"]).wait_for()
    assert best.get_by_role("link").first.inner_text() == (
        f"{deserter['given_names']} {deserter['surnames']}"
    )
    reasons = best.get_by_role(
        "list", name="Por qué coincide" if language == "es" else "Why it matched"
    )
    assert words["typo"] in reasons.inner_text()
    assert words["struck off"] in best.inner_text()
    assert words["found"] in page.get_by_role("status").inner_text()
    assert "q=" in page.url  # the search is in the address, to go back to
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.console_errors == []


def test_a_zone_name_opens_the_person_their_orders_and_back(
    browser: Any, demo: Demo, language: str
) -> None:
    words = WORDS[language]
    deserter = person(demo, demo.examples[DESERTER]["national_id"])
    page = new_page(browser, demo, language, {"width": 1366, "height": 768})
    log_in(page, demo, "clerk")
    focused_on(page, "q")
    page.keyboard.type(zone_name(deserter))
    page.keyboard.press("Enter")
    best = first_result(page)
    best.get_by_text(deserter["national_id"]).wait_for()
    name = f"{deserter['given_names']} {deserter['surnames']}"
    with page.expect_navigation():
        best.get_by_role("link", name=name).click()
    assert page.get_by_role("heading", name=name, level=1).is_visible()
    assert page.get_by_role("heading", name=words["identity"]).is_visible()
    assert deserter["national_id"] in page.get_by_role("definition").all_inner_texts()
    history = page.get_by_role("table")
    assert page.get_by_role("heading", name=words["history"]).is_visible()
    strike_off = history.get_by_role("row").filter(has_text=STRIKE_OFF)
    assert words["strike-off"] in strike_off.inner_text()
    assert "CG-GNB" in strike_off.inner_text()
    assert ("21 dic 2018" if language == "es" else "Dec 21, 2018") in strike_off.inner_text()
    with page.expect_navigation():
        strike_off.get_by_role("link", name=STRIKE_OFF).click()
    assert page.get_by_role("heading", name=f"{words['order']} {STRIKE_OFF}").is_visible()
    subjects = page.get_by_role("table")
    assert page.get_by_role("heading", name=words["subjects"]).is_visible()
    back = subjects.get_by_role("link", name=name)
    with page.expect_navigation():
        back.click()
    assert page.get_by_role("heading", name=name, level=1).is_visible()
    assert page.console_errors == []


def test_an_order_of_many_subjects_is_paged(browser: Any, demo: Demo) -> None:
    page = new_page(browser, demo, "es", {"width": 820, "height": 1180})
    log_in(page, demo, "clerk")
    page.goto(f"/orders/{STRIKE_OFF}")
    first = page.get_by_role("table").get_by_role("row").nth(1).inner_text()
    pager = page.get_by_role("navigation", name="Páginas de personas")
    with page.expect_navigation():
        pager.get_by_role("link", name="Siguiente").click()
    assert "page=2" in page.url
    assert "Página 2 de" in pager.inner_text()
    assert page.get_by_role("table").get_by_role("row").nth(1).inner_text() != first


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/people/V-1", "Persona no encontrada"), ("/orders/NO-SUCH-ORDER", "Orden no encontrada")],
)
def test_what_is_not_on_the_roll_is_said_in_words(
    browser: Any, demo: Demo, path: str, heading: str
) -> None:
    page = new_page(browser, demo, "es", {"width": 1366, "height": 768})
    log_in(page, demo, "clerk")
    answer = page.goto(path)
    assert answer.status == 404
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_role("link", name="Buscar en el registro").is_visible()


def test_a_directive_shows_its_rules_in_words(browser: Any, demo: Demo) -> None:
    page = new_page(browser, demo, "en", {"width": 1366, "height": 768})
    log_in(page, demo, "clerk")
    page.goto("/orders/SAIME-DG-2018-0113")  # the immigration service's directive of 2018
    assert page.get_by_role("heading", name="Rules of the directive").is_visible()
    absent = page.get_by_role("row").filter(has_text="absent without leave")
    assert "deny" in absent.inner_text()
    document = page.get_by_role("row").filter(has_text="unknown country code")
    assert "refer" in document.inner_text()
    assert page.get_by_role("heading", name="Subjects").count() == 0  # it names nobody
