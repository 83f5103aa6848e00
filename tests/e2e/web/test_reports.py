"""The reports in a real browser, against the demo: each chart drawn beside its table, a CSV
of the same figures, as of two days (the strike-off of 2018-12-21 between them), in Spanish
and English; the crossing reports count the screenings of the day; a clerk sees the roll's
reports only."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from muster.web.i18n import Formats
from tests.e2e.web.conftest import Demo, log_in, new_page

COUNTER = {"width": 1366, "height": 768}
DEMO_DAY = "2019-03-15"
WORDS = {
    "es": {
        "reports": "Informes",
        "as_of": "Fecha de corte",
        "show": "Mostrar",
        "members": "Efectivos por estado y componente",
        "changes": "Reportados ausentes, dados de baja y reincorporados, por mes y componente",
        "crossings": "Pasos por puesto y día",
        "decisions": "Decisiones por resultado",
        "referrals": "Remisiones y su resultado",
        "struck_off": "dado de baja",
        "csv": "Descargar CSV",
        "total": "Total",
    },
    "en": {
        "reports": "Reports",
        "as_of": "As of",
        "show": "Show",
        "members": "Members by status and component",
        "changes": "Reported absent, struck off and reinstated, by month and component",
        "crossings": "Crossings per post and day",
        "decisions": "Decisions by outcome",
        "referrals": "Referrals and their outcomes",
        "struck_off": "struck off",
        "csv": "Download CSV",
        "total": "Total",
    },
}
ROLL = ("members", "changes")
CROSSINGS = ("crossings", "decisions", "referrals")


def number(text: str) -> int:
    return int(text.replace(".", "").replace(",", "").replace("\u00a0", "").strip())


def column(table: Any, header: str) -> int:
    return [t.strip() for t in table.locator("thead th").all_inner_texts()].index(header)


def foot(table: Any, header: str) -> int:
    cells = table.locator("tfoot tr").locator("th, td")
    return number(cells.nth(column(table, header)).inner_text())


def download(page: Any, words: dict[str, str], key: str) -> list[list[str]]:
    """The CSV behind a figure's link, as the browser saves it."""
    link = page.get_by_role("link", name=f"{words['csv']} — {words[key]}")
    with page.expect_download() as saved:
        link.click()
    path = saved.value.path()
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def show_day(page: Any, words: dict[str, str], day: str) -> None:
    """Write the day in the "as of" field and show the reports."""
    page.get_by_label(words["as_of"]).fill(day)
    with page.expect_navigation():
        page.get_by_role("button", name=words["show"]).click()


def drawn(page: Any, key: str) -> bool:
    """Whether Chart.js drew the figure's chart (a canvas with a size, a chart on it)."""
    return bool(
        page.evaluate(
            "k => { const c = document.getElementById('chart-' + k);"
            " return !!c && c.width > 0 && c.height > 0 && !!Chart.getChart(c); }",
            key,
        )
    )


def test_the_reports_render_with_their_tables_and_csv_as_of_two_days(
    browser: Any, demo: Demo, language: str, viewport: dict[str, int]
) -> None:
    words = WORDS[language]
    page = new_page(browser, demo, language, viewport)
    log_in(page, demo, "auditor")
    page.get_by_role("link", name=words["reports"]).click()
    show_day(page, words, "2018-12-20")
    struck: dict[str, int] = {}
    for day in ("2018-12-20", "2019-03-15"):
        if day != "2018-12-20":
            show_day(page, words, day)
        assert page.get_by_label(words["as_of"]).input_value() == day
        for key in (*ROLL, *CROSSINGS):
            assert page.get_by_role("heading", name=words[key]).is_visible()
            table = page.get_by_role("table", name=words[key])
            assert table.count() == 1
            assert page.get_by_role("link", name=f"{words['csv']} — {words[key]}").is_visible()
        members = page.get_by_role("table", name=words["members"])
        struck[day] = foot(members, words["struck_off"])
        assert drawn(page, "members") and drawn(page, "changes")
        saved = download(page, words, "members")
        at = saved[0].index(words["struck_off"])
        assert saved[-1][0] == words["total"]
        assert int(saved[-1][at]) == struck[day]  # the same figure as the table's
        assert len(saved) == 1 + members.locator("tbody tr").count() + 1
    assert struck["2018-12-20"] == 0
    assert struck["2019-03-15"] > 0  # the order of 2018-12-21 took effect between them
    changes = page.get_by_role("table", name=words["changes"])
    assert changes.locator("tbody tr").count() > 0
    assert page.console_errors == []  # nothing refused by the Content-Security-Policy


def call(demo: Demo, path: str, token: str | None = None, body: Any = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    asked = urllib.request.Request(f"{demo.url}/api/v1{path}", data, headers)
    with urllib.request.urlopen(asked) as answer:
        return json.loads(answer.read())


def screen(demo: Demo, identities: list[dict[str, str]]) -> list[str]:
    """Screen travelers at SBOL as the demo's officer; their decisions."""
    login = {"name": "oficial", "password": demo.logins["oficial"]}
    token = call(demo, "/auth/login", body=login)["token"]
    decided = []
    for identity in identities:
        body = {"post": "SBOL", "direction": "exit", "identity": identity}
        decided.append(call(demo, "/screenings", token, body)["decision"])
    return decided


def identity_of(person: dict[str, str]) -> dict[str, str]:
    names = person["name"].split()
    return {
        "given_names": " ".join(names[:-2]) or names[0],
        "surnames": " ".join(names[-2:]),
        "national_id": person["national_id"],
    }


def counts(rows: list[list[str]]) -> dict[str, int]:
    """A parts-of-a-whole CSV (decisions, referrals): each value's count."""
    return {r[0]: int(r[1]) for r in rows[1:-1]}


def test_the_crossing_reports_count_the_screenings_of_the_day(browser: Any, demo: Demo) -> None:
    words = WORDS["en"]
    page = new_page(browser, demo, "en", COUNTER)
    log_in(page, demo, "auditor")
    page.goto(f"/reports?as_of={DEMO_DAY}&days=7")  # the demo screens as on its day
    before = counts(download(page, words, "decisions")), counts(download(page, words, "referrals"))
    deserter = demo.examples["deserter (struck off 2018-12-21)"]
    stranger = {
        "given_names": "ZBIGNIEW",
        "surnames": "KOWALCZYK NOWAK",
        "birth_date": "1961-02-03",
    }
    decided = screen(demo, [identity_of(deserter), stranger, stranger])
    assert decided == ["refer", "clear", "clear"]
    page.reload()
    decisions, referrals = (
        counts(download(page, words, "decisions")),
        counts(download(page, words, "referrals")),
    )
    assert decisions["refer"] - before[0]["refer"] == 1
    assert decisions["clear"] - before[0]["clear"] == 2
    assert referrals["open"] - before[1]["open"] == 1
    table = page.get_by_role("table", name=words["crossings"])
    row = table.locator("tbody tr").last  # the demo's day, the last of the span
    assert row.locator("th").inner_text() == Formats("en").date(DEMO_DAY)
    assert number(row.locator("td").nth(column(table, "SBOL") - 1).inner_text()) >= 3
    assert drawn(page, "crossings") and drawn(page, "decisions") and drawn(page, "referrals")
    assert page.get_by_text("At every post.").is_visible()


def test_a_clerk_sees_the_roll_reports_only(browser: Any, demo: Demo) -> None:
    words = WORDS["es"]
    page = new_page(browser, demo, "es", COUNTER)
    log_in(page, demo, "clerk")
    page.get_by_role("link", name=words["reports"]).click()
    assert page.get_by_role("table", name=words["members"]).is_visible()
    assert page.get_by_role("table", name=words["changes"]).is_visible()
    for key in CROSSINGS:
        assert page.get_by_role("heading", name=words[key]).count() == 0
        assert page.get_by_role("table", name=words[key]).count() == 0
    assert page.get_by_label("Pasos durante").count() == 0  # no span of crossings to choose
    refused = page.goto("/reports/crossings.csv")
    assert refused.status == 403


def test_a_day_that_is_not_one_is_said_in_the_page(browser: Any, demo: Demo) -> None:
    page = new_page(browser, demo, "es", COUNTER)
    log_in(page, demo, "supervisor")
    answer = page.goto("/reports?as_of=2019-02-30")
    assert answer.status == 400
    alert = page.get_by_role("alert")
    assert "Fecha de corte: «2019-02-30» no es un día" in alert.inner_text()
    assert page.get_by_label("Fecha de corte").get_attribute("aria-invalid") == "true"
    assert page.get_by_role("table").count() == 0
    page.goto("/reports?as_of=2019-03-15")
    assert page.get_by_text("En sus puestos: SBOL.").is_visible()  # a supervisor's posts only


@pytest.mark.parametrize("path", ["/reports/members.csv?as_of=2019-13-01"])
def test_a_csv_asked_with_a_wrong_day_says_why(demo: Demo, path: str) -> None:
    login = {"name": "auditor", "password": demo.logins["auditor"]}
    token = call(demo, "/auth/login", body=login)["token"]
    asked = urllib.request.Request(
        demo.url + path, headers={"Cookie": f"muster_session={token}", "Accept-Language": "en"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(asked)
    assert refused.value.code == 400
    said = io.TextIOWrapper(refused.value, encoding="utf-8").read()
    assert "As of: “2019-13-01” is not a day: write it as 2019-03-15." in said
