"""The reports' pure parts: the day and span asked for, the months a chart covers, and each
figure's table, chart and CSV built from the same counts."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

import pytest

from muster.screening.figures import Days
from muster.web.pages import reports
from muster.web.pages.reports import AskedError, Builder, read_asked
from muster.web.session import Viewer

DAY = date(2019, 3, 15)


def viewer(language: str) -> Viewer:
    return Viewer(None, None, language, "token")


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_report_is_of_the_registry_day_over_thirty_days_unless_asked() -> None:
    assert read_asked(None, None, DAY) == reports.Asked(DAY, 30)
    assert read_asked("", "", DAY) == reports.Asked(DAY, 30)
    assert read_asked(" 2018-12-20 ", "7", DAY) == reports.Asked(date(2018, 12, 20), 7)
    assert read_asked("2018-12-20", "90", DAY).days == Days(date(2018, 9, 22), date(2018, 12, 20))


@pytest.mark.parametrize(
    ("as_of", "days", "field", "says"),
    [
        ("2019-02-30", None, "as_of", "is not a day"),
        ("15/03/2019", None, "as_of", "is not a day"),
        ("1899-12-31", None, "as_of", "out of range"),
        ("2019-03-15", "31", "days", "not a period offered"),
        ("2019-03-15", "x", "days", "not a period offered"),
    ],
)
def test_a_day_or_span_that_cannot_be_shown_names_its_field(
    as_of: str, days: str | None, field: str, says: str
) -> None:
    with pytest.raises(AskedError) as refused:
        read_asked(as_of, days, DAY)
    assert refused.value.field == field
    assert says in refused.value.message


def test_the_months_of_a_chart_run_from_the_first_change_to_the_day() -> None:
    found = Counter({("2018-11", "GNB", "absent"): 2, ("2019-02", "GNB", "reinstated"): 1})
    assert reports.month_range(found, DAY) == [
        "2018-11",
        "2018-12",
        "2019-01",
        "2019-02",
        "2019-03",
    ]
    assert reports.month_range(Counter(), DAY) == []
    long_ago = Counter({("1990-01", "EB", "absent"): 1})
    months = reports.month_range(long_ago, DAY)
    assert len(months) == reports.MAX_MONTHS and months[-1] == "2019-03"


def test_members_table_chart_and_csv_hold_the_same_figures() -> None:
    found = Counter({("GNB", "active"): 1200, ("GNB", "struck_off"): 64, ("EB", "absent"): 3})
    figure = Builder(viewer("en")).members(found, DAY)
    assert [c.shown for c in figure.columns] == [
        "Component",
        "active",
        "absent without leave",
        "struck off",
        "discharged",
        "Total",
    ]
    gnb = next(r for r in figure.rows if r[0].value == "GNB")
    assert [c.shown for c in gnb] == [
        "GNB · Bolivarian National Guard",
        "1,200",
        "0",
        "64",
        "0",
        "1,264",
    ]
    assert figure.foot is not None and [c.value for c in figure.foot][1:] == [1200, 3, 64, 0, 1267]
    assert figure.note == "The roll on Mar 15, 2019: 1,267 people."
    struck = next(d for d in figure.chart["datasets"] if d["label"] == "struck off")
    assert dict(zip(figure.chart["labels"], struck["data"], strict=True))["GNB"] == 64
    table = rows_of(reports.csv_of(figure))
    assert table[0] == [
        "Component",
        "active",
        "absent without leave",
        "struck off",
        "discharged",
        "Total",
    ]
    assert ["GNB", "1200", "0", "64", "0", "1264"] in table
    assert table[-1] == ["Total", "1200", "3", "64", "0", "1267"]


def test_the_figures_speak_the_viewers_language() -> None:
    found = Counter({("GNB", "active"): 1200, ("GNB", "struck_off"): 64})
    figure = Builder(viewer("es")).members(found, DAY)
    assert "dado de baja" in [c.shown for c in figure.columns]
    assert figure.note == "El registro al 15 mar 2019: 1.264 personas."
    assert figure.chart["locale"] == "es-VE"


def test_changes_list_each_month_and_component_with_any_and_chart_every_month() -> None:
    found = Counter(
        {
            ("2018-11", "GNB", "absent"): 40,
            ("2018-12", "GNB", "struck_off"): 38,
            ("2018-12", "EB", "absent"): 1,
            ("2019-02", "GNB", "reinstated"): 2,
        }
    )
    figure = Builder(viewer("en")).changes(found, date(2019, 3, 1))
    assert [[c.value for c in r] for r in figure.rows] == [
        ["2018-11", "GNB", 40, 0, 0],
        ["2018-12", "EB", 1, 0, 0],
        ["2018-12", "GNB", 0, 38, 0],
        ["2019-02", "GNB", 0, 0, 2],
    ]
    assert figure.rows[0][0].shown == "November 2018"
    assert figure.chart["labels"] == ["Nov 2018", "Dec 2018", "Jan 2019", "Feb 2019", "Mar 2019"]
    assert [d["data"] for d in figure.chart["datasets"]] == [
        [40, 1, 0, 0, 0],
        [0, 38, 0, 0, 0],
        [0, 0, 0, 2, 0],
    ]
    assert figure.chart["by_component"]["EB"] == [[0, 1, 0, 0, 0], [0] * 5, [0] * 5]
    assert [code for code, _name in figure.extra["components"]] == ["EB", "GNB"]
    assert figure.foot is not None and [c.value for c in figure.foot][2:] == [41, 38, 2]


def test_crossings_tabulate_every_day_and_chart_the_busiest_posts() -> None:
    found: Counter[tuple[str, str, str]] = Counter()
    for i, post in enumerate(["P1", "P2", "P3", "P4", "P5", "P6", "P7"]):
        found[("2019-03-15", post, "clear")] = 10 - i
    found[("2019-03-13", "P1", "deny")] = 5
    figure = Builder(viewer("en")).crossings(found, Days.ending(DAY, 7))
    assert [c.shown for c in figure.columns] == [
        "Day",
        "P1",
        "P2",
        "P3",
        "P4",
        "P5",
        "P6",
        "P7",
        "Total",
    ]
    assert [r[0].value for r in figure.rows] == [f"2019-03-{d:02d}" for d in range(9, 16)]
    assert [c.value for c in figure.rows[-1]][1:] == [10, 9, 8, 7, 6, 5, 4, 49]
    assert [d["label"] for d in figure.chart["datasets"]] == [
        "P1",
        "P2",
        "P3",
        "P4",
        "P5",
        "Other posts",
    ]
    assert figure.chart["datasets"][-1]["data"][-1] == 9
    assert figure.empty is None
    nothing = Builder(viewer("es")).crossings(Counter(), Days.ending(DAY, 7))
    assert nothing.empty == "No se registraron pasos en estos días."
    assert len(nothing.rows) == 7


def test_decisions_and_referrals_are_parts_of_a_whole() -> None:
    found = Counter({("2019-03-15", "SBOL", "clear"): 3, ("2019-03-15", "SBOL", "refer"): 1})
    figure = Builder(viewer("en")).decisions(found)
    assert [[c.shown for c in r] for r in figure.rows] == [
        ["Clear", "3", "75%"],
        ["Authorized", "0", "0%"],
        ["Refer", "1", "25%"],
        ["Deny", "0", "0%"],
    ]
    assert figure.chart["per_bar"] == ["clear", "authorized", "refer", "deny"]
    assert rows_of(reports.csv_of(figure))[1] == ["clear", "3", "0.75"]
    outcomes = Builder(viewer("en")).referrals(Counter({"open": 0, "held": 0}))
    assert outcomes.empty == "No traveler was referred in these days."
