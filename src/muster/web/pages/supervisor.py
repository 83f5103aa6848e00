"""The supervisor's pages: the referral queue of the account's posts, which updates itself
(htmx polls a fragment), a referral opened and resolved, the posts' crossings of the day, and
one crossing's page with the outcome of its referral.

The roles are the API's: admins, supervisors and auditors read crossings and referrals (a
supervisor those of their posts), only a supervisor of the post resolves a referral, and an
officer may open a crossing of their posts (its decision and reasons only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from muster import bootstrap
from muster.accounts.accounts import Account, Role
from muster.api.errors import status_of
from muster.config import local_today, registry_zone, today
from muster.errors import MusterError
from muster.registry import reading
from muster.screening import crossings as cx
from muster.screening import supervision
from muster.screening.listings import DECISIONS, CrossingFilter, list_crossings
from muster.web import nav, problems, words
from muster.web.i18n import N_, Formats
from muster.web.respond import respond
from muster.web.session import Viewer, page_for

router = APIRouter(include_in_schema=False)
READERS = (Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR)
Reader = Annotated[Viewer, Depends(page_for(*READERS))]
Resolver = Annotated[Viewer, Depends(page_for(Role.SUPERVISOR))]
CrossingViewer = Annotated[Viewer, Depends(page_for(*READERS, Role.OFFICER))]
POLL_SECONDS = 3  # how often an open queue asks for what changed
CROSSINGS_LIMIT = 500  # the day's crossings shown at once; the page says how many in all
SEEN_MAX = 20_000  # characters of the ids a queue sends back (its first page of open ones)

nav.add("/referrals", N_("Referrals"), *READERS)
nav.add("/crossings", N_("Crossings of the day"), *READERS)


# The reasons of a decision in words: each reason's code picks the message, filled from what
# the reason names (directive, rule, field, authorization); the registry's own text is kept
# beside it when it says more (a directive's own reason, as its authority wrote it).
VERDICTS = {
    "match": N_("confirmed on the roll"),
    "possible": N_("possible match, uncertain"),
    "no_match": N_("no one on the roll matches"),
}
OUTCOME_WORDS = {**words.DECISIONS, "needs_authorization": N_("needs a travel authorization")}
FIELD_WORDS = words.DOCUMENT_FIELDS
FINDINGS = words.FINDINGS
IDENTITY = N_("Identity: %(verdict)s.")
UNCERTAIN = N_(
    "Identity uncertain: referred to secondary inspection, never denied on a possible match."
)
UNCERTAIN_WOULD = N_(
    "Identity uncertain: referred to secondary inspection, never denied on a possible match "
    "(the person on the roll would be: %(outcome)s)."
)
NOT_ON_ROLL = N_("Not a person on the roll: the exit-control policy does not apply.")
RULE = N_("Directive %(directive)s, rule “%(rule)s”: %(outcome)s.")
DEFAULT = N_("Directive %(directive)s: no rule applies; its default: %(outcome)s.")
AUTHORIZED = N_("Travel authorization %(order)s, valid from %(start)s to %(end)s.")
AUTHORIZED_SOME = N_("Travel authorization %(order)s is valid that day.")
NO_AUTHORIZATION = N_("No travel authorization is valid that day.")
NO_POLICY = N_("No exit-control directive is in force.")


@dataclass(frozen=True)
class Worded:
    """A reason in the viewer's words; `said`: the registry's own text, when it says more."""

    code: str
    words: str
    said: str = ""


def worded(viewer: Viewer, reason: dict[str, Any], fmt_date: Any) -> Worded:
    code, text = str(reason.get("code", "")), str(reason.get("text", ""))
    family, _, value = code.partition(":")
    t = viewer.gettext
    outcome = t(OUTCOME_WORDS.get(value, value)) if value in OUTCOME_WORDS else value
    if family == "match":
        return Worded(code, t(IDENTITY, verdict=t(VERDICTS.get(value, value))))
    if code == "identity:uncertain":
        would = str(reason.get("outcome", ""))
        if would in OUTCOME_WORDS:
            return Worded(code, t(UNCERTAIN_WOULD, outcome=t(OUTCOME_WORDS[would])))
        return Worded(code, t(UNCERTAIN))  # a crossing recorded before reasons carried it
    if code == "identity:not_on_roll":
        return Worded(code, t(NOT_ON_ROLL))
    directive, rule = reason.get("directive", ""), reason.get("rule", "")
    if family == "rule":
        return Worded(code, t(RULE, directive=directive, rule=rule, outcome=outcome), text)
    if family == "default":
        return Worded(code, t(DEFAULT, directive=directive, outcome=outcome))
    if code == "authorization:valid":
        order, start, end = (
            reason.get(k, "") for k in ("authorization", "valid_from", "valid_until")
        )
        if start and end:
            return Worded(
                code, t(AUTHORIZED, order=order, start=fmt_date(start), end=fmt_date(end))
            )
        return Worded(code, t(AUTHORIZED_SOME, order=order))  # recorded without its window
    if code == "authorization:missing":
        return Worded(code, t(NO_AUTHORIZATION))
    if code == "policy:none":
        return Worded(code, t(NO_POLICY))
    if family == "document" and value in FINDINGS:
        field = str(reason.get("field", ""))
        return Worded(code, t(FINDINGS[value], field=t(FIELD_WORDS.get(field, field))), text)
    return Worded(code, text or code)  # a reason this page has no words for: as recorded


def worded_reasons(viewer: Viewer, reasons: list[dict[str, Any]]) -> list[Worded]:
    fmt = Formats(viewer.language, viewer.zone)
    return [worded(viewer, r, fmt.date) for r in reasons]


REFERRING = ("identity:uncertain", "rule:refer", "default:refer")


def why_referred(all_worded: list[Worded]) -> list[Worded]:
    """The reasons that sent a crossing to secondary inspection (its document's findings too)."""
    found = [w for w in all_worded if w.code in REFERRING or w.code.startswith("document:")]
    return found or [w for w in all_worded if not w.code.startswith("match:")]


def account_of(viewer: Viewer) -> Account:
    assert viewer.account is not None  # page_for admits only logged-in viewers
    return viewer.account


def screening_day(request: Request) -> date:
    """The day decisions are taken on, as the API reads it (the demo's is 2019-03-15): the
    day a person's status is shown on."""
    return today(request.app.state.settings)


def listed_day(request: Request) -> date:
    """The day whose crossings the pages list unless asked for another: the screening day
    when one is set, else the day it is in the registry's time zone."""
    return local_today(request.app.state.settings)


def zone_of(request: Request) -> ZoneInfo:
    """The registry's time zone: its days run from local midnight to local midnight."""
    return registry_zone(request.app.state.settings)


def common(request: Request, viewer: Viewer, day: date) -> dict[str, Any]:
    """What every page of this part shows its values with (`fmt`: moments in the registry's
    time zone, whose offset the pages name)."""
    return {
        "day": day,
        "verdicts": VERDICTS,
        "presented": supervision.presented,
    }


def refused(
    request: Request, viewer: Viewer, template: str, err: MusterError, **context: Any
) -> Response:
    """A page that shows the service's refusal in words (`web.problems`), with its status."""
    day = screening_day(request)
    return respond(
        request,
        viewer,
        template,
        status=status_of(err),
        problem=problems.shown(viewer, err),
        **common(request, viewer, day),
        **context,
    )


# The queue


def read_queue(request: Request, account: Account, day: date) -> supervision.Queue:
    with bootstrap.reading(request.app.state.engine) as conn:
        return supervision.referral_queue(conn, account, day, zone=zone_of(request))


def why_of(viewer: Viewer, queue: supervision.Queue) -> dict[str, list[Worded]]:
    """Why each referral of the queue was referred, in the viewer's words."""
    return {
        r["crossing_id"]: why_referred(worded_reasons(viewer, r["reasons"]))
        for r in (*queue.open, *queue.resolved)
    }


@router.get("/referrals")
async def referral_queue(request: Request, viewer: Reader) -> Response:
    """The referral queue: open referrals first; the list follows new ones by itself."""
    day = listed_day(request)
    queue = await run_in_threadpool(read_queue, request, account_of(viewer), day)
    return respond(
        request,
        viewer,
        "supervisor/referrals.html",
        queue=queue,
        why=why_of(viewer, queue),
        seen=",".join(r["crossing_id"] for r in queue.open),
        fresh=frozenset(),
        polled=False,
        poll_seconds=POLL_SECONDS,
        updated=datetime.now(UTC),
        **common(request, viewer, day),
    )


@router.get("/referrals/queue")
async def referral_queue_fragment(request: Request, viewer: Reader, seen: str = "") -> Response:
    """The queue as it is now (the fragment the queue page polls); an open referral that was
    not in `seen` (the queue when the page was opened) is marked new."""
    day = listed_day(request)
    queue = await run_in_threadpool(read_queue, request, account_of(viewer), day)
    known = set(seen[:SEEN_MAX].split(","))
    return respond(
        request,
        viewer,
        "supervisor/_queue.html",
        queue=queue,
        why=why_of(viewer, queue),
        fresh=frozenset(r["crossing_id"] for r in queue.open) - known,
        polled=True,
        updated=datetime.now(UTC),
        **common(request, viewer, day),
    )


# One referral


def read_referral(
    request: Request, crossing_id: str, account: Account, day: date
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The crossing with its referral, and the person it matched as they stand on `day`."""
    with bootstrap.reading(request.app.state.engine) as conn:
        crossing = supervision.crossing_with_referral(conn, crossing_id, account)
        pid = crossing.get("person_id")
        person = None if pid is None else reading.person_view_of(conn, int(pid), day)
    return crossing, person


def may_resolve(account: Account, crossing: dict[str, Any]) -> bool:
    referral = crossing.get("referral")
    return (
        account.role is Role.SUPERVISOR
        and crossing["post"] in account.posts
        and referral is not None
        and referral["status"] == "open"
    )


async def referral_response(
    request: Request,
    viewer: Viewer,
    crossing_id: str,
    status: int = 200,
    **context: Any,
) -> Response:
    day = screening_day(request)
    account = account_of(viewer)
    try:
        crossing, person = await run_in_threadpool(
            read_referral, request, crossing_id, account, day
        )
    except MusterError as err:
        return refused(
            request, viewer, "supervisor/referral.html", err, crossing=None, resolved=False
        )
    if crossing.get("referral") is None:  # a crossing that was not referred
        return RedirectResponse(f"/crossings/{crossing_id}", status_code=303)
    return respond(
        request,
        viewer,
        "supervisor/referral.html",
        status=status,
        crossing=crossing,
        person=person,
        reasons=worded_reasons(viewer, crossing["reasons"]),
        traveler=supervision.presented(crossing.get("document") or {}),
        may_resolve=may_resolve(account, crossing),
        **{"problem": None, "errors": {}, "outcome": "", "note": "", "resolved": False, **context},
        **common(request, viewer, day),
    )


@router.get("/referrals/{crossing_id}")
async def referral_page(
    request: Request, crossing_id: str, viewer: Reader, resolved: bool = False
) -> Response:
    """A referral: what the officer saw, the match, the person's orders, and the form that
    resolves it (for a supervisor of its post, while it is open)."""
    return await referral_response(request, viewer, crossing_id, resolved=resolved)


OUTCOME_EXPECTED = N_("Choose how the referral ended: released, held or other.")
NOTE_TOO_LONG = N_("The note has %(count)s characters; it may have at most %(most)s.")


def write_resolution(
    request: Request, crossing_id: str, outcome: str, note: str, account: Account
) -> None:
    with request.app.state.engine.begin() as conn:
        cx.resolve_referral(conn, crossing_id, outcome, note, account)


@router.post("/referrals/{crossing_id}")
async def resolve_referral(
    request: Request,
    crossing_id: str,
    viewer: Resolver,
    outcome: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Record how a referral ended, as the API's resolution does; the page then shows it."""
    note = note.strip()
    errors: dict[str, str] = {}
    if outcome not in cx.RESOLUTIONS:
        errors["outcome"] = viewer.gettext(OUTCOME_EXPECTED)
    if len(note) > cx.NOTE_MAX:
        errors["note"] = viewer.gettext(NOTE_TOO_LONG, count=len(note), most=cx.NOTE_MAX)
    kept = {"outcome": outcome, "note": note}
    if errors:
        return await referral_response(
            request, viewer, crossing_id, status=400, errors=errors, **kept
        )
    try:
        await run_in_threadpool(
            write_resolution, request, crossing_id, outcome, note, account_of(viewer)
        )
    except MusterError as err:
        shown = problems.shown(viewer, err)
        return await referral_response(
            request, viewer, crossing_id, status=status_of(err), problem=shown, **kept
        )
    return RedirectResponse(f"/referrals/{crossing_id}?resolved=true", status_code=303)


# The crossings


DAY_EXPECTED = N_("Expected a date such as %(example)s.")
DECISION_EXPECTED = N_("Expected one of the decisions in the list.")
POST_EXPECTED = N_("You see the crossings of these posts only: %(posts)s.")


def read_crossings(
    request: Request, account: Account, chosen: CrossingFilter
) -> tuple[Any, dict[str, str], dict[str, int]]:
    with bootstrap.reading(request.app.state.engine) as conn:
        found = list_crossings(conn, chosen, CROSSINGS_LIMIT)
        referred = [r["id"] for r in found.rows if r["decision"] == "refer"]
        statuses = supervision.referral_statuses(conn, referred)
        assert chosen.day is not None
        counts = supervision.decisions_of_day(
            conn, account, chosen.day, chosen.post, zone=chosen.zone
        )
    return found, statuses, counts


@router.get("/crossings")
async def crossings_of_the_day(
    request: Request, viewer: Reader, day: str = "", post: str = "", decision: str = ""
) -> Response:
    """The crossings of the day (or another) at the account's posts, newest first: a day in
    the registry's time zone, from its midnight to the next."""
    account = account_of(viewer)
    screening = listed_day(request)
    errors: dict[str, str] = {}
    shown_day = screening
    if day:
        try:
            shown_day = date.fromisoformat(day)
        except ValueError:
            errors["day"] = viewer.gettext(DAY_EXPECTED, example=screening.isoformat())
    if decision and decision not in DECISIONS:
        errors["decision"] = viewer.gettext(DECISION_EXPECTED)
    posts = cx.visible_posts(account)
    post = post.strip().upper()
    if post and posts is not None and post not in posts:
        errors["post"] = viewer.gettext(POST_EXPECTED, posts=", ".join(posts))
    context: dict[str, Any] = {
        "errors": errors,
        "chosen": {"day": day, "post": post, "decision": decision},
    }
    if errors:
        return respond(
            request,
            viewer,
            "supervisor/crossings.html",
            status=400,
            found=None,
            statuses={},
            counts={},
            **context,
            **common(request, viewer, shown_day if "day" not in errors else screening),
        )
    chosen = CrossingFilter(
        post=post or None,
        day=shown_day,
        decision=decision or None,
        posts=posts,
        zone=zone_of(request),
    )
    found, statuses, counts = await run_in_threadpool(read_crossings, request, account, chosen)
    return respond(
        request,
        viewer,
        "supervisor/crossings.html",
        found=found,
        statuses=statuses,
        counts=counts,
        decisions=DECISIONS,
        **context,
        **common(request, viewer, shown_day),
    )


@router.get("/crossings/{crossing_id}")
async def crossing_page(request: Request, crossing_id: str, viewer: CrossingViewer) -> Response:
    """One crossing: the decision and its reasons, the traveler as presented, the match and,
    for a referral, its outcome (an officer sees the decision and its reasons only)."""
    day = screening_day(request)
    account = account_of(viewer)
    try:
        crossing, person = await run_in_threadpool(
            read_referral, request, crossing_id, account, day
        )
    except MusterError as err:
        return refused(request, viewer, "supervisor/crossing.html", err, crossing=None)
    return respond(
        request,
        viewer,
        "supervisor/crossing.html",
        crossing=crossing,
        person=person,
        reasons=worded_reasons(viewer, crossing["reasons"]),
        traveler=supervision.presented(crossing.get("document") or {}),
        problem=None,
        **common(request, viewer, day),
    )
