"""The supervisor in a real browser: with the queue open, an officer's screening that refers a
namesake of the demo's absent member arrives without a reload, marked new; the supervisor
opens it, resolves it with the keyboard, and the outcome shows in the crossing's page (at its
time in Caracas) and in the crossings of the day. In Spanish and English, at a counter's
screen and on a tablet."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from playwright.sync_api import expect

from tests.e2e.web.conftest import Demo, focused_on, log_in, new_page

WORDS = {
    "es": {
        "queue": "Remisiones a inspección secundaria",
        "new": "Nueva",
        "news": "Remisiones nuevas desde que abrió esta página: 1",
        "refer": "Remitir",
        "uncertain": "Identidad incierta",
        "typed": "Identidad escrita por el oficial",
        "absence": "ausencia",
        "resolved": "Remisión resuelta: liberado.",
        "outcome": "Resultado: liberado",
        "exit": "salida",
        "when": "15 mar 2019, 8:00:00 GMT-04:00",
    },
    "en": {
        "queue": "Referrals to secondary inspection",
        "new": "New",
        "news": "New referrals since you opened this page: 1",
        "refer": "Refer",
        "uncertain": "Identity uncertain",
        "typed": "Identity typed by the officer",
        "absence": "absence",
        "resolved": "Referral resolved: released.",
        "outcome": "Outcome: released",
        "exit": "exit",
        "when": "Mar 15, 2019, 8:00:00\u202fAM GMT-04:00",
    },
}


def call(demo: Demo, path: str, body: Any = None, token: str | None = None) -> Any:
    """The demo's API, as an officer's counter or a script would call it."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    asked = urllib.request.Request(f"{demo.url}/api/v1{path}", data=data, headers=headers)
    with urllib.request.urlopen(asked, timeout=30) as answer:
        return json.loads(answer.read())


def token_of(demo: Demo, name: str) -> str:
    session = call(demo, "/auth/login", {"name": name, "password": demo.logins[name]})
    token: str = session["token"]
    return token


def refer_a_namesake(demo: Demo) -> tuple[str, str]:
    """The demo officer screens a traveler who shares the names of the absent member and shows
    neither birth date nor cédula: referred, never denied. The crossing's id and the name."""
    absent = demo.examples["absent without leave"]
    person = call(demo, f"/persons/{absent['national_id']}", token=token_of(demo, "supervisor"))
    identity = {"given_names": person["given_names"], "surnames": person["surnames"]}
    screened = call(
        demo,
        "/screenings",
        {"post": "SBOL", "direction": "exit", "identity": identity},
        token_of(demo, "oficial"),
    )
    assert screened["decision"] == "refer", screened
    return screened["crossing_id"], f"{person['given_names']} {person['surnames']}"


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_referral_arrives_is_resolved_and_shows_in_the_crossing(
    browser: Any, demo: Demo, language: str, viewport: dict[str, int]
) -> None:
    w = WORDS[language]
    page = new_page(browser, demo, language, viewport)
    log_in(page, demo, "supervisor")
    assert page.url.endswith("/referrals")  # where a supervisor lands
    expect(page.get_by_role("heading", name=w["queue"])).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")  # gone if the page were reloaded

    crossing_id, name = refer_a_namesake(demo)
    row = page.get_by_role("row").filter(has_text=crossing_id)
    expect(row).to_be_visible(timeout=20_000)  # the queue polls every few seconds
    expect(row).to_contain_text(w["new"])
    expect(page.get_by_role("status").filter(has_text=w["news"])).to_be_visible()
    assert page.evaluate("window.stillTheSamePage === true")
    assert fits(page)

    row.get_by_role("link", name=name).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/referrals/{crossing_id}")
    expect(page.get_by_text(w["refer"], exact=True).first).to_be_visible()
    expect(page.get_by_text(w["uncertain"]).first).to_be_visible()
    expect(page.get_by_text(w["typed"])).to_be_visible()
    expect(page.get_by_role("table").last).to_contain_text(w["absence"])  # the person's orders
    assert fits(page)

    focused_on(page, "outcome-released")  # the cursor waits on the first outcome
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Documentos en regla; no es la persona buscada.")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text=w["resolved"])).to_be_visible()
    assert page.get_by_role("radio").count() == 0  # resolved: no form any more

    page.goto(f"/crossings/{crossing_id}")
    expect(page.get_by_test_id("outcome")).to_contain_text(w["outcome"])
    # The demo screens as on 2019-03-15 at noon UTC: 08:00 in Caracas, the registry's zone.
    expect(page.get_by_test_id("when")).to_have_text(w["when"])
    expect(page.get_by_text("Documentos en regla; no es la persona buscada.")).to_be_visible()

    page.goto("/crossings")
    listed = page.get_by_role("row").filter(has_text=crossing_id)
    expect(listed).to_contain_text(w["refer"])
    expect(listed).to_contain_text(w["exit"])
    expect(listed).to_contain_text(name)
    assert fits(page)
    with page.expect_navigation():
        listed.get_by_role("link", name=crossing_id).click()
    assert page.url.endswith(f"/crossings/{crossing_id}")
    assert page.console_errors == []
