"""The registry clerk's pages: the roll search (the matcher's, with its reasons), a person's
identity, service record and history, and an order with its subjects a page at a time.

They read what the API's `GET /persons`, `GET /persons/{ref}` and `GET /orders/{number}`
read, for the same roles."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from muster import bootstrap
from muster.accounts.accounts import Role
from muster.domain.errors import AmbiguousOrderNumberError, AmbiguousSubjectError, NotFoundError
from muster.environment import today
from muster.matching import Evidence
from muster.reference_data import load_reference
from muster.registry import authorities, reading
from muster.screening import roll_search
from muster.screening.identify import RollMatcher
from muster.web import nav, problems, words
from muster.web.i18n import N_
from muster.web.respond import respond
from muster.web.session import Viewer, page_for

router = APIRouter(include_in_schema=False)
# The roles of the API's `GET /persons` and `GET /orders/{number}`.
READERS = (Role.ADMIN, Role.CLERK, Role.AUTHORITY, Role.SUPERVISOR, Role.AUDITOR)
Reader = Annotated[Viewer, Depends(page_for(*READERS))]
# In the menus of the roles that search the roll; a supervisor lands on the referral queue
# (the first page of its menu) and reaches people from the referrals.
nav.add("/roll", N_("Roll"), Role.CLERK, Role.ADMIN, Role.AUTHORITY, Role.SUPERVISOR, Role.AUDITOR)

MIN_QUERY = 2  # characters, as the API's `q`
MAX_QUERY = 200
SUBJECTS_PER_PAGE = 50

# The words of a reason, as the matcher writes them (`matching.scoring`), translated where shown.
FIELDS = (  # the field a label begins with, longest first
    ("given names and surnames", N_("given names and surnames")),
    ("given names", N_("given names")),
    ("given name", N_("given name")),
    ("first surname", N_("first surname")),
    ("second surname", N_("second surname")),
    ("married name", N_("married name")),
    ("full name", N_("full name")),
    ("surnames", N_("surnames")),
    ("surname", N_("surname")),
    ("birth date", N_("birth date")),
    ("cédula", N_("cédula")),
    ("sex", N_("sex")),
    ("attribute", N_("attribute")),
)
HOW = {
    "exact": N_("exact"),
    "spelling": N_("spelled another way"),
    "sound": N_("sounds alike"),
    "typo": N_("typo"),
    "initial": N_("initial"),
    "cut": N_("cut short"),
    "written in two words": N_("written in two words"),
    "particle differs": N_("particle differs"),
    "swapped": N_("swapped"),
    "the member's second surname": N_("the person's second surname"),
    "as married name": N_("as married name"),
    "member's second given name": N_("the person's second given name"),
    "not on the member": N_("not in the person's name"),
    "not shown": N_("not given"),
    "both surnames joined": N_("both surnames joined"),
    "not on the roll": N_("not on the roll"),
    "ignored": N_("ignored"),
    "day and month swapped": N_("day and month swapped"),
    "day and month swapped (written month first)": N_(
        "day and month swapped (written month first)"
    ),
    "one digit differs": N_("one digit differs"),
    "two adjacent digits swapped": N_("two adjacent digits swapped"),
    "differs": N_("differs"),
    "agrees": N_("agrees"),
    "written in each other's fields": N_("given names and surnames written in each other's place"),
    "but itself a given name on the roll": N_("but itself a given name on the roll"),
    "as a twin's would be (not the member's first given name)": N_(
        "as a twin's would be (not the person's first given name)"
    ),
}
HOW_PATTERNS = (
    (re.compile(r"^differs from (?P<value>.+)$"), N_("differs from %(value)s")),
    (re.compile(r"^differs \((?P<value>.+)\)$"), N_("differs (%(value)s)")),
    (re.compile(r"^typo of (?P<value>.+)$"), N_("typo of %(value)s")),
    (
        re.compile(r"^two slips from (?P<value>.+)\? neither agrees nor differs$"),
        N_("two slips from %(value)s: neither agrees nor differs"),
    ),
    (re.compile(r"^as the (?P<value>.+)$"), N_("as the %(value)s")),
    (
        re.compile(r"^capped at (?P<value>\S+): namesakes share full names more than.*$"),
        N_("capped at %(value)s: namesakes share full names"),
    ),
    (
        re.compile(r"^capped at (?P<value>\S+) without the member's first given name.*$"),
        N_("capped at %(value)s without the person's first given name: a family shares them"),
    ),
)
BY_NUMBER = {
    "serial number": N_("serial number"),
    "former serial number": N_("former serial number"),
    "cédula": N_("cédula"),
}
SEXES = {"M": N_("male"), "F": N_("female")}


@dataclass(frozen=True)
class Reason:
    """One piece of evidence as a page shows it: the field, the value compared, how it
    agreed, and its weight (for, against, or neither), in the viewer's language."""

    field: str
    value: str
    how: str
    weight: str
    leaning: str  # "for", "against" or "neither"


def reason_of(evidence: Evidence, gettext: Callable[..., str], language: str) -> Reason:
    """A matcher's piece of evidence in the viewer's words."""
    field, value = evidence.label, ""
    for english, message in FIELDS:
        if evidence.label == english or evidence.label.startswith(english + " "):
            field, value = gettext(message), evidence.label[len(english) :].strip()
            break
    how = ", ".join(how_part(part, gettext) for part in evidence.how.split(", "))
    if evidence.weight > 0.05:
        leaning = "for"
    elif evidence.weight < -0.05:
        leaning = "against"
    else:
        leaning = "neither"
    return Reason(field, value, how, signed(evidence.weight, language), leaning)


def how_part(part: str, gettext: Callable[..., str]) -> str:
    """One part of how a field agreed, translated (as written when it is not known)."""
    if part in HOW:
        return gettext(HOW[part])
    for pattern, message in HOW_PATTERNS:
        found = pattern.match(part)
        if found is not None:
            return gettext(message, value=found["value"])
    return part


def signed(weight: float, language: str) -> str:
    """A weight with its sign, as the language writes decimals (`+2,1`)."""
    return format_decimal(weight, "+#,##0.0;-#,##0.0", locale=language)


# -- the roll search ---------------------------------------------------------------------


@router.get("/roll")
async def roll_page(
    request: Request,
    viewer: Reader,
    q: str = "",
) -> Response:
    """The roll search: results as the clerk types (htmx asks for the results alone)."""
    state = request.app.state
    engine = state.engine
    day = today(state.settings)
    text = " ".join(q[:MAX_QUERY].split())
    matcher: RollMatcher | None = state.matcher if state.ready else None
    short = 0 < len(text) < MIN_QUERY
    if matcher is not None and text and not short:
        with bootstrap.reading(engine) as conn:  # where the screenings write the index
            matcher.refresh(conn, day=day)

    def search() -> roll_search.RollSearch | None:
        if not text or short:
            return None
        with bootstrap.reading(engine) as conn:
            return roll_search.search_roll(conn, matcher, text, day)

    found = await run_in_threadpool(search)
    components = component_names(viewer.language)
    results = None if found is None else [result_view(f, viewer, components) for f in found.found]
    context: dict[str, Any] = {
        "q": text,
        "short": short,
        "min_query": MIN_QUERY,
        "found": found,
        "results": results,
        "day": day,
    }
    headers = {"HX-Replace-Url": "/roll" + (f"?{urlencode({'q': text})}" if text else "")}
    partial = request.headers.get("hx-request") == "true"
    template = "clerk/_results.html" if partial else "clerk/roll.html"
    return respond(request, viewer, template, headers=headers, **context)


def result_view(found: roll_search.Found, viewer: Viewer, components: dict[str, str]) -> Any:
    """One person found, as the results show them."""
    reasons = [reason_of(e, viewer.gettext, viewer.language) for e in found.evidence]
    by_number = viewer.gettext(BY_NUMBER[found.by_number]) if found.by_number else ""
    return {
        "person": found.person,
        "href": person_href(found.person["national_id"]),
        "score": found.score,
        "reasons": reasons,
        "by_number": by_number,
        "number": found.number,
        "component": components.get(found.person["component"], found.person["component"]),
    }


def person_href(national_id: str) -> str:
    return "/people/" + quote(national_id, safe="")


def order_href(number: str) -> str:
    return "/orders/" + quote(number, safe="")


def component_names(language: str) -> dict[str, str]:
    reference = load_reference()
    return {
        code: (c.name_en if language == "en" else c.name_es)
        for code, c in reference.components.items()
    }


def rank_words(component: str, rank: str | None, language: str) -> str:
    """A rank as recorded (Spanish), with its English name for an English reader."""
    if not rank:
        return ""
    found = load_reference().find_rank(component, rank)
    if language == "en" and found is not None and found.name_en:
        return f"{rank} ({found.name_en})"
    return rank


# -- a person ------------------------------------------------------------------------------


@router.get("/people/{ref}")
async def person_page(request: Request, viewer: Reader, ref: str) -> Response:
    """A person: identity, service record on the registry's day (and what is scheduled
    later), and every order that touched them, each linking to the order."""
    state = request.app.state
    day = today(state.settings)

    def read() -> tuple[dict[str, Any], dict[str, str]]:
        with bootstrap.reading(state.engine) as conn:
            return reading.person_view(conn, ref[:MAX_QUERY], day), authority_names(conn)

    try:
        view, names = await run_in_threadpool(read)
    except (NotFoundError, AmbiguousSubjectError) as err:
        return not_found(request, viewer, err, N_("Person not found"))
    language = viewer.language
    components = component_names(language)
    context = {
        "p": view,
        "day": day,
        "sex": viewer.gettext(SEXES[view["sex"]]) if view["sex"] in SEXES else view["sex"],
        "component": components.get(view["component"], view["component"]),
        "rank": rank_words(view["component"], view["rank"], language),
        "history": [history_view(e, names, viewer) for e in reversed(view["history"])],
        "scheduled": view["scheduled"],
        "order_href": order_href,
    }
    return respond(request, viewer, "clerk/person.html", **context)


def authority_names(conn: Any) -> dict[str, str]:
    return {a.code: a.name for a in authorities.list_authorities(conn)}


CHANGED = {  # the fields an order changes, as a history shows them
    "status": N_("status"),
    "category": N_("category"),
    "rank": N_("rank"),
    "serial_number": N_("serial number"),
    "unit": N_("unit"),
    "component": N_("component"),
    "given_names": N_("given names"),
    "surnames": N_("surnames"),
    "birth_date": N_("birth date"),
    "sex": N_("sex"),
    "national_id": N_("cédula"),
    "revoked": N_("revoked"),
    "reinstated": N_("reinstated"),
    "travel_authorization": N_("travel authorization"),
}
WORDED = {"status": "status", "category": "category"}  # values named by `|word(table)`
YES_NO = {"True": N_("yes"), "False": N_("no"), "yes": N_("yes")}


def history_view(event: dict[str, Any], names: dict[str, str], viewer: Viewer) -> dict[str, Any]:
    """One order of a person's history, with what it changed in words."""
    changes = []
    for key, after in event["after"].items():
        label = viewer.gettext(CHANGED[key]) if key in CHANGED else key
        changes.append(
            {
                "field": label,
                "key": key,
                "table": WORDED.get(key),
                "before": changed_value(key, event["before"].get(key), viewer),
                "after": changed_value(key, after, viewer),
                "had_before": key in event["before"],
            }
        )
    return {
        **event,
        "href": order_href(event["order"]),
        "authority_name": names.get(event["authority"], ""),
        "changes": changes,
    }


def changed_value(key: str, value: str | None, viewer: Viewer) -> str | None:
    """A changed field's value as the history shows it (statuses and categories are named
    in the template, by `|word`)."""
    if value is None or key in WORDED:
        return value
    if value in YES_NO and key in ("reinstated", "revoked"):
        return viewer.gettext(YES_NO[value])
    if key == "sex" and value in SEXES:
        return viewer.gettext(SEXES[value])
    return value


# -- an order ------------------------------------------------------------------------------


@router.get("/orders/{number}")
async def order_page(
    request: Request,
    viewer: Reader,
    number: str,
    page: str = "1",
) -> Response:
    """An order as recorded: kind, number, authority, dates, its ledger entry and key, and
    its subjects a page at a time, each linking to the person."""
    state = request.app.state
    at = int(page) if page.isdigit() and 0 < len(page) < 8 else 0
    offset = max(at - 1, 0) * SUBJECTS_PER_PAGE

    def read() -> tuple[dict[str, Any], reading.SubjectsPage | None, dict[str, str]]:
        with bootstrap.reading(state.engine) as conn:
            view = reading.order_view(conn, number[:MAX_QUERY])
            subjects = None
            if view["subjects"]:
                subjects = reading.order_subjects_page(
                    conn, view["number"], offset, SUBJECTS_PER_PAGE
                )
            return view, subjects, authority_names(conn)

    try:
        view, subjects, names = await run_in_threadpool(read)
    except (NotFoundError, AmbiguousOrderNumberError) as err:
        return not_found(request, viewer, err, N_("Order not found"))
    pages = max(1, -(-view["subjects"] // SUBJECTS_PER_PAGE))
    if not 1 <= at <= pages:
        return not_found(
            request,
            viewer,
            NotFoundError(f"order {view['number']} has {pages} page(s) of subjects, not {page!r}"),
            N_("Page not found"),
        )
    components = component_names(viewer.language)
    context = {
        "o": view,
        "content": {**dict.fromkeys(CONTENT_FIELDS), **view["content"]},
        "authority_name": names.get(view["authority"], ""),
        "subjects": subjects,
        "people": subject_rows(subjects, components),
        "page": at,
        "pages": pages,
        "first_shown": offset + 1,
        "last_shown": offset + (len(subjects.people) if subjects else 0),
        "page_href": lambda n: f"{order_href(view['number'])}?page={n}",
        "order_href": order_href,
        "proof_href": "/api/v1/ledger/proofs/inclusion?" + urlencode({"order": view["number"]}),
        "rules": directive_view(view["content"].get("rules"), viewer),
        "changed_names": {k: viewer.gettext(v) for k, v in CHANGED.items()},
    }
    return respond(request, viewer, "clerk/order.html", **context)


# What an order's content may hold beside its kind's fields (each absent from some kinds).
CONTENT_FIELDS = ("grounds", "subjects", "category", "valid_from", "valid_until", "revokes")


def subject_rows(
    subjects: reading.SubjectsPage | None, components: dict[str, str]
) -> list[dict[str, Any]]:
    """An order's page of subjects, each with a link to the person."""
    if subjects is None:
        return []
    return [
        {
            **p,
            "href": person_href(p["national_id"]),
            "component_name": components.get(p["component"], p["component"]),
        }
        for p in subjects.people
    ]


OUTCOMES = {
    "clear": N_("clear"),
    "deny": N_("deny"),
    "refer": N_("refer"),
    "needs_authorization": N_("needs an authorization"),
}
DOCUMENT_FINDINGS = {
    "expired": N_("expired"),
    "unknown_code": N_("unknown country code"),
    "specimen": N_("specimen document"),
}
CONDITIONS = {"status": N_("status"), "category": N_("category"), "document": N_("document")}


def directive_view(rules: Any, viewer: Viewer) -> dict[str, Any] | None:
    """An exit-control directive's rules in words: when each applies and what it decides."""
    if not isinstance(rules, dict):
        return None

    def outcome(value: Any) -> str:
        return viewer.gettext(OUTCOMES[value]) if value in OUTCOMES else str(value)

    def value_words(key: str, value: Any) -> str:
        if key == "document" and value in DOCUMENT_FINDINGS:
            return viewer.gettext(DOCUMENT_FINDINGS[value])
        table = {"status": "status", "category": "category"}.get(key)
        if table is None:
            return str(value)
        return viewer.gettext(words.word(table, str(value)))

    shown = []
    for rule in rules.get("rules", []):
        when = rule.get("when", {})
        conditions = [
            f"{viewer.gettext(CONDITIONS.get(k, k))}: "
            + ", ".join(value_words(k, v) for v in (vs if isinstance(vs, list) else [vs]))
            for k, vs in sorted(when.items())
        ]
        shown.append(
            {
                "id": rule.get("id", ""),
                "when": "; ".join(conditions),
                "outcome": outcome(rule.get("outcome")),
                "reason": rule.get("reason", ""),
            }
        )
    return {
        "title": rules.get("title", ""),
        "rules": shown,
        "default": outcome(rules.get("default")),
    }


def not_found(request: Request, viewer: Viewer, err: Exception, title: str) -> Response:
    """A page saying in words what was not found (404), or which records a number names
    (409), with a way back to the search."""
    status = 409 if isinstance(err, AmbiguousOrderNumberError | AmbiguousSubjectError) else 404
    return respond(
        request,
        viewer,
        "clerk/not_found.html",
        status=status,
        title=viewer.gettext(title),
        problem=problems.shown(viewer, err),
    )
