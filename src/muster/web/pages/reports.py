"""Reports: the roll and the crossings as of a day, each figure a chart with its table beside
it and a CSV of the same figures.

The roll's figures are for every reader of records (the API's `/stats`); the crossings'
only for those who may read crossings (a supervisor: its posts)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, tzinfo
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from starlette.responses import Response

from muster import bootstrap
from muster.accounts.accounts import Account, Role
from muster.config import registry_zone
from muster.domain.kinds import Status
from muster.environment import today
from muster.reference_data import load_reference
from muster.registry import figures as roll_figures
from muster.screening import figures as crossing_figures
from muster.screening.crossings import visible_posts
from muster.screening.figures import Days
from muster.web import nav, words
from muster.web.i18n import N_, Formats
from muster.web.problems import Shown
from muster.web.respond import respond
from muster.web.session import Viewer, page_for

router = APIRouter(include_in_schema=False)

RECORDS_READERS = (Role.ADMIN, Role.CLERK, Role.AUTHORITY, Role.SUPERVISOR, Role.AUDITOR)
CROSSING_READERS = (Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR)
RecordsViewer = Annotated[Viewer, Depends(page_for(*RECORDS_READERS))]
SPANS = (7, 30, 90)  # the days of crossings a report may cover, ending on its day
DEFAULT_SPAN = 30
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)
MAX_MONTHS = 240  # the chart of changes shows at most these months, ending on the day's
TOP_POSTS = 5  # the chart of crossings draws these posts; the rest together
CHART_LOCALES = {"es": "es-VE", "en": "en-US"}

nav.add("/reports", N_("Reports"), *RECORDS_READERS, after_own_pages=True)

CHANGE_WORDS = {
    roll_figures.ABSENT: N_("Reported absent"),
    roll_figures.STRUCK_OFF: N_("Struck off"),
    roll_figures.REINSTATED: N_("Reinstated"),
}


class AskedError(ValueError):
    """Raised when a report is asked for with a day or span it cannot take."""

    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(message)


@dataclass(frozen=True)
class Asked:
    """What a report is asked for: its day, and the days of crossings that end on it."""

    day: date
    span: int

    @property
    def days(self) -> Days:
        return Days.ending(self.day, self.span)


def read_asked(as_of: str | None, span: str | None, default: date) -> Asked:
    """The day and span of a query string, or an `AskedError` naming the field (its message
    an English message id, translated where shown)."""
    day = default
    if as_of:
        try:
            day = date.fromisoformat(as_of.strip())
        except ValueError:
            raise AskedError(
                "as_of", N_("“%(value)s” is not a day: write it as 2019-03-15.")
            ) from None
        if not EARLIEST <= day <= LATEST:
            raise AskedError("as_of", N_("“%(value)s” is out of range: a day from 1900 to 2199."))
    days = DEFAULT_SPAN
    if span:
        if span.strip() not in {str(n) for n in SPANS}:
            raise AskedError("days", N_("“%(value)s” is not a period offered: 7, 30 or 90 days."))
        days = int(span)
    return Asked(day, days)


@dataclass
class Read:
    """What the database said for one report."""

    members: Counter[tuple[str, str]] = field(default_factory=Counter)
    changes: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    crossings: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    referrals: Counter[str] = field(default_factory=Counter)
    read_crossings: bool = False
    posts: tuple[str, ...] | None = None  # the posts the crossings cover (None: all)


def read_figures(
    engine: Engine, asked: Asked, account: Account, which: Sequence[str], zone: tzinfo = UTC
) -> Read:
    """The figures `which` names ("roll", "crossings"), read on one connection; the days of
    crossings are days in `zone` (the registry's time zone)."""
    with bootstrap.reading(engine) as conn:
        found = Read()
        if "roll" in which:
            found.members = roll_figures.members_on(conn, asked.day)
            found.changes = roll_figures.changes_by_month(conn, asked.day)
        if "crossings" in which and account.role in CROSSING_READERS:
            found.read_crossings, found.posts = True, visible_posts(account)
            days, posts = asked.days, found.posts
            found.crossings = crossing_figures.crossing_counts(conn, days, posts, zone)
            found.referrals = crossing_figures.referral_outcomes(conn, days, posts, zone)
        return found


# --- figures: a table, a chart and a CSV from the same rows -------------------------------


@dataclass(frozen=True)
class Cell:
    """A table's cell: as the page shows it, and as the CSV writes it."""

    shown: str
    value: str | int | float
    number: bool = False


@dataclass
class Figure:
    """One report: its title, table (the first `row_headers` cells of a row head it), the
    chart's data block for `reports.js`, and what to say when there is nothing to draw."""

    key: str
    title: str
    columns: list[Cell]
    rows: list[list[Cell]]
    foot: list[Cell] | None
    chart: dict[str, Any]
    empty: str | None = None
    row_headers: int = 1
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Builder:
    """Figures in one viewer's language."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.t = viewer.gettext
        self.fmt = Formats(viewer.language, viewer.zone)

    def count(self, n: int) -> Cell:
        return Cell(self.fmt.number(n), n, number=True)

    def share(self, n: int, total: int) -> Cell:
        part = n / total if total else 0.0
        return Cell(self.fmt.percent(round(part, 3)), round(part, 4), number=True)

    def heading(self, text: str, value: str | None = None, number: bool = False) -> Cell:
        return Cell(text, text if value is None else value, number)

    def component(self, code: str) -> Cell:
        """A component by its code and its name in the viewer's language."""
        found = load_reference().components.get(code)
        name = (
            None
            if found is None
            else found.name_es
            if self.viewer.language == "es"
            else found.name_en
        )
        return Cell(f"{code} · {name}" if name else code, code)

    def chart(
        self, labels: list[str], series: list[tuple[str, list[int]]], **how: Any
    ) -> dict[str, Any]:
        return {
            "locale": CHART_LOCALES.get(self.viewer.language, self.viewer.language),
            "labels": labels,
            "datasets": [{"label": name, "data": data} for name, data in series],
            "axis": self.t(how.pop("axis", N_("People"))),
            **how,
        }

    def members(self, found: Counter[tuple[str, str]], day: date) -> Figure:
        statuses = [s.value for s in Status]
        codes = components_of(found)
        status_words = [self.t(words.word("status", s)) for s in statuses]
        columns = [
            self.heading(self.t(N_("Component")), "component"),
            *(self.heading(w, s, True) for w, s in zip(status_words, statuses, strict=True)),
            self.heading(self.t(N_("Total")), "total", True),
        ]
        rows = [
            [
                self.component(c),
                *(self.count(found[(c, s)]) for s in statuses),
                self.count(sum(found[(c, s)] for s in statuses)),
            ]
            for c in codes
        ]
        total = [found[(c, s)] for c in codes for s in statuses]
        foot = [
            self.heading(self.t(N_("Total"))),
            *(self.count(sum(found[(c, s)] for c in codes)) for s in statuses),
            self.count(sum(total)),
        ]
        chart = self.chart(
            codes,
            [
                (w, [found[(c, s)] for c in codes])
                for w, s in zip(status_words, statuses, strict=True)
            ],
            stacked=True,
        )
        empty = None if sum(total) else self.t(N_("Nobody is on the roll on that day."))
        return Figure(
            "members",
            self.t(N_("Members by status and component")),
            columns,
            rows,
            foot,
            chart,
            empty,
            note=self.t(
                N_("The roll on %(day)s: %(count)s people."),
                day=self.fmt.date(day),
                count=self.fmt.number(sum(total)),
            ),
        )

    def changes(self, found: Counter[tuple[str, str, str]], day: date) -> Figure:
        names = list(CHANGE_WORDS)
        change_words = [self.t(CHANGE_WORDS[n]) for n in names]
        months = month_range(found, day)
        codes = components_of(Counter({(c, n): v for (_m, c, n), v in found.items()}), every=False)
        columns = [
            self.heading(self.t(N_("Month")), "month"),
            self.heading(self.t(N_("Component")), "component"),
            *(self.heading(w, n, True) for w, n in zip(change_words, names, strict=True)),
        ]
        rows = []
        for month in sorted({m for m, _c, _n in found}):
            for c in codes:
                counts = [found[(month, c, n)] for n in names]
                if any(counts):
                    shown = self.fmt.date(date.fromisoformat(f"{month}-01"), "LLLL y")
                    rows.append(
                        [Cell(shown, month), self.component(c), *(self.count(n) for n in counts)]
                    )
        foot = [
            self.heading(self.t(N_("Total"))),
            Cell("", ""),
            *(self.count(sum(v for (_m, _c, k), v in found.items() if k == n)) for n in names),
        ]
        labels = [self.fmt.date(date.fromisoformat(f"{m}-01"), "LLL y") for m in months]

        def series(only: str | None) -> list[list[int]]:
            return [
                [sum(found[(m, c, n)] for c in codes if only in (None, c)) for m in months]
                for n in names
            ]

        chart = self.chart(labels, list(zip(change_words, series(None), strict=True)))
        chart["by_component"] = {c: series(c) for c in codes}
        empty = (
            None
            if found
            else self.t(N_("Nobody was reported absent, struck off or reinstated by that day."))
        )
        return Figure(
            "changes",
            self.t(N_("Reported absent, struck off and reinstated, by month and component")),
            columns,
            rows,
            foot,
            chart,
            empty,
            row_headers=2,
            extra={"components": [(c, self.component(c).shown) for c in codes]},
        )

    def crossings(self, found: Counter[tuple[str, str, str]], days: Days) -> Figure:
        by_post: Counter[str] = Counter()
        by_day: Counter[tuple[str, str]] = Counter()
        for (day, post, _decision), n in found.items():
            by_post[post] += n
            by_day[(day, post)] += n
        posts = sorted(by_post)
        each = [d.isoformat() for d in days.each()]
        columns = [
            self.heading(self.t(N_("Day")), "day"),
            *(self.heading(p, p, True) for p in posts),
            self.heading(self.t(N_("Total")), "total", True),
        ]
        rows = [
            [
                Cell(self.fmt.date(d), d),
                *(self.count(by_day[(d, p)]) for p in posts),
                self.count(sum(by_day[(d, p)] for p in posts)),
            ]
            for d in each
        ]
        foot = [
            self.heading(self.t(N_("Total"))),
            *(self.count(by_post[p]) for p in posts),
            self.count(sum(by_post.values())),
        ]
        drawn = [p for p, _n in sorted(by_post.items(), key=lambda x: (-x[1], x[0]))]
        shown, rest = drawn[:TOP_POSTS], drawn[TOP_POSTS:]
        if len(rest) == 1:
            shown, rest = drawn, []
        series = [(p, [by_day[(d, p)] for d in each]) for p in sorted(shown)]
        if rest:
            series.append(
                (self.t(N_("Other posts")), [sum(by_day[(d, p)] for p in rest) for d in each])
            )
        labels = [self.fmt.date(d, "d MMM") for d in days.each()]
        chart = self.chart(labels, series, stacked=True, axis=N_("Crossings"))
        empty = None if by_post else self.t(N_("No crossings were recorded in these days."))
        return Figure(
            "crossings",
            self.t(N_("Crossings per post and day")),
            columns,
            rows,
            foot,
            chart,
            empty,
        )

    def shares(
        self,
        key: str,
        title: str,
        what: str,
        counts: list[tuple[str, str, int]],
        empty: str,
        axis: str,
    ) -> Figure:
        """A figure of parts of a whole: (value, word, count) each, with its share."""
        total = sum(n for _v, _w, n in counts)
        columns = [
            self.heading(self.t(what), key.rstrip("s")),
            self.heading(self.t(N_("Count")), "count", True),
            self.heading(self.t(N_("Share")), "share", True),
        ]
        rows = [[Cell(w, v), self.count(n), self.share(n, total)] for v, w, n in counts]
        foot = [self.heading(self.t(N_("Total"))), self.count(total), self.share(total, total)]
        chart = self.chart(
            [w for _v, w, _n in counts],
            [(self.t(title), [n for _v, _w, n in counts])],
            horizontal=True,
            per_bar=[v for v, _w, _n in counts],
            axis=axis,
        )
        return Figure(
            key, self.t(title), columns, rows, foot, chart, None if total else self.t(empty)
        )

    def decisions(self, found: Counter[tuple[str, str, str]]) -> Figure:
        by: Counter[str] = Counter()
        for (_day, _post, decision), n in found.items():
            by[decision] += n
        counts = [(d, self.t(w), by[d]) for d, w in words.DECISIONS.items()]
        return self.shares(
            "decisions",
            N_("Decisions by outcome"),
            N_("Decision"),
            counts,
            N_("No crossings were recorded in these days."),
            N_("Crossings"),
        )

    def referrals(self, found: Counter[str]) -> Figure:
        counts = [
            (o, self.t(words.word("outcome", o)), found[o]) for o in crossing_figures.OUTCOMES
        ]
        return self.shares(
            "referrals",
            N_("Referrals and their outcomes"),
            N_("Outcome"),
            counts,
            N_("No traveler was referred in these days."),
            N_("Referrals"),
        )


def components_of(found: Counter[tuple[str, str]], every: bool = True) -> list[str]:
    """The components of the reference, in its order (`every`: all of them; else those with
    figures), then any other that has figures."""
    seen = {c for (c, _s), n in found.items() if n}
    known = [c for c in load_reference().components if every or c in seen]
    return [*known, *sorted(seen - set(known))]


def month_range(found: Counter[tuple[str, str, str]], day: date) -> list[str]:
    """Every month ("YYYY-MM") from the first with a change to the day's, at most
    `MAX_MONTHS` of them (the latest)."""
    if not found:
        return []
    first = min(m for m, _c, _n in found)
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while (year, month) <= (day.year, day.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months[-MAX_MONTHS:]


def csv_of(figure: Figure) -> str:
    """The figure's table as CSV: its headers, then its rows and total, as values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.shown for c in figure.columns])
    for row in [*figure.rows, *([figure.foot] if figure.foot else [])]:
        writer.writerow([c.value for c in row])
    return out.getvalue()


# --- pages --------------------------------------------------------------------------------


def registry_day(request: Request) -> date:
    return today(request.app.state.settings)


def zone_of(request: Request) -> ZoneInfo:
    """The registry's time zone, whose midnights cut the days of crossings."""
    return registry_zone(request.app.state.settings)


def problem_of(viewer: Viewer, err: AskedError, value: str | None) -> Shown:
    label = {"as_of": N_("As of"), "days": N_("Crossings over")}[err.field]
    return Shown(
        "InvalidInputError",
        viewer.gettext(N_("This report cannot be shown: a value is not as expected.")),
        [f"{viewer.gettext(label)}: {viewer.gettext(err.message, value=value or '')}"],
    )


@router.get("/reports")
async def reports_page(
    request: Request, viewer: RecordsViewer, as_of: str | None = None, days: str | None = None
) -> Response:
    """Every report as of a day (default the registry's day)."""
    account = viewer.account
    assert account is not None  # page_for admits logged-in accounts only
    page: dict[str, Any] = {
        "default": registry_day(request),
        "shows_crossings": account.role in CROSSING_READERS,
        "spans": SPANS,
        "problem": None,
        "invalid": None,
        "roll_reports": [],
        "crossing_reports": [],
        "posts": None,
        "asked": None,
    }
    try:
        asked = read_asked(as_of, days, page["default"])
    except AskedError as err:
        wrong = as_of if err.field == "as_of" else days
        page.update(problem=problem_of(viewer, err, wrong), invalid=err.field)
        page.update(as_of=as_of or "", span=days or str(DEFAULT_SPAN))
        return respond(request, viewer, "reports/index.html", status=400, **page)
    which = ("roll", "crossings")
    read = await run_in_threadpool(
        read_figures, request.app.state.engine, asked, account, which, zone_of(request)
    )
    build = Builder(viewer)
    page.update(
        asked=asked,
        as_of=asked.day.isoformat(),
        span=str(asked.span),
        query=f"as_of={asked.day.isoformat()}&days={asked.span}",
        posts=read.posts,
        roll_reports=[
            build.members(read.members, asked.day),
            build.changes(read.changes, asked.day),
        ],
    )
    if read.read_crossings:
        page["crossing_reports"] = [
            build.crossings(read.crossings, asked.days),
            build.decisions(read.crossings),
            build.referrals(read.referrals),
        ]
    return respond(request, viewer, "reports/index.html", **page)


async def csv_answer(
    request: Request,
    viewer: Viewer,
    key: str,
    which: str,
    make: Callable[[Builder, Read, Asked], Figure],
    as_of: str | None,
    days: str | None,
) -> Response:
    account = viewer.account
    assert account is not None
    try:
        asked = read_asked(as_of, days, registry_day(request))
    except AskedError as err:
        wrong = as_of if err.field == "as_of" else days
        shown = problem_of(viewer, err, wrong)
        text = "\n".join([shown.headline, *shown.items]) + "\n"
        return Response(text, status_code=400, media_type="text/plain; charset=utf-8")
    read = await run_in_threadpool(
        read_figures, request.app.state.engine, asked, account, (which,), zone_of(request)
    )
    figure = make(Builder(viewer), read, asked)
    name = f"muster-{key}-{asked.day.isoformat()}"
    if which == "crossings":
        name += f"-{asked.span}d"
    return Response(
        csv_of(figure),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


# Each CSV: the figures it reads, the roles that may read them, and its figure.
CSVS: dict[str, tuple[str, tuple[Role, ...], Callable[[Builder, Read, Asked], Figure]]] = {
    "members": ("roll", RECORDS_READERS, lambda b, r, a: b.members(r.members, a.day)),
    "changes": ("roll", RECORDS_READERS, lambda b, r, a: b.changes(r.changes, a.day)),
    "crossings": ("crossings", CROSSING_READERS, lambda b, r, a: b.crossings(r.crossings, a.days)),
    "decisions": ("crossings", CROSSING_READERS, lambda b, r, _a: b.decisions(r.crossings)),
    "referrals": ("crossings", CROSSING_READERS, lambda b, r, _a: b.referrals(r.referrals)),
}


def csv_route(key: str) -> None:
    """`/reports/<key>.csv`, for the roles that may read its figures."""
    which, roles, make = CSVS[key]
    allowed = page_for(*roles)

    async def download(
        request: Request,
        viewer: Viewer,
        as_of: str | None = None,
        days: str | None = None,
    ) -> Response:
        return await csv_answer(request, viewer, key, which, make, as_of, days)

    # Resolved here: under `from __future__ import annotations` FastAPI reads annotations
    # from the module, where this route's own dependency is not.
    download.__annotations__["viewer"] = Annotated[Viewer, Depends(allowed)]

    router.add_api_route(f"/reports/{key}.csv", download, methods=["GET"], name=f"{key}_csv")


for _key in CSVS:
    csv_route(_key)
