"""The border officer's screening screen (`/screen`): a document's zone read line by line or an
identity typed, screened by the same code as `POST /api/v1/screenings` (the crossing recorded
the same way), and the decision shown with its reasons in the officer's language.

The post and direction of the officer's shift are kept in a cookie for the browser's session;
an officer bound to one post has it chosen, and the direction starts at exit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from muster import bootstrap
from muster.accounts.accounts import Account, Role
from muster.api.clients import client_of
from muster.api.errors import status_of
from muster.api.routers.screening import screen_and_record
from muster.config import today
from muster.documents.mrz import ZoneProblem
from muster.errors import MusterError
from muster.matching.normalize import BirthDateError
from muster.registry import listings
from muster.screening.crossing_process import CrossingWriterUnavailableError
from muster.screening.decision import DocumentCheckError, Identity, Screening
from muster.web import nav, problems, words
from muster.web.i18n import N_, Formats
from muster.web.respond import respond
from muster.web.session import Viewer, page_for

router = APIRouter(include_in_schema=False)
OfficerViewer = Annotated[Viewer, Depends(page_for(Role.OFFICER))]
nav.add("/screen", N_("Screening"), Role.OFFICER)

SHIFT_COOKIE = "muster_shift"  # "POST.direction", for the browser's session
DIRECTIONS = ("exit", "entry")
Direction = Literal["exit", "entry"]
MAX_ZONE_CHARS = 400  # three lines of 44 and more: anything longer is no zone
IDENTITY_FIELDS = ("given_names", "surnames", "birth_date", "national_id", "document_number")


@dataclass(frozen=True)
class Shift:
    """Where and which way the officer screens this shift; `post` is None until chosen."""

    post: str | None
    direction: str = "exit"


def shift_of(account: Account, cookie: str | None) -> Shift:
    """The shift the cookie holds, if it fits the account; otherwise the officer's one post
    (none when there are several to choose from), leaving the country."""
    post, _, direction = (cookie or "").partition(".")
    if post not in account.posts:
        post = account.posts[0] if len(account.posts) == 1 else ""
    return Shift(post or None, direction if direction in DIRECTIONS else "exit")


# What the officer is told, chosen by the reason's code (`domain.exit_policy.Reason`).
MATCH_WORDS = {
    "match": N_("Identified on the roll."),
    "possible": N_("Possibly a person on the roll: the identity is not confirmed."),
    "no_match": N_("No one on the roll is close enough."),
}
FIELD_WORDS = words.DOCUMENT_FIELDS
FINDING_WORDS = words.FINDINGS
OUTCOME_WORDS = {
    "clear": N_("clear"),
    "authorized": N_("authorized"),
    "refer": N_("refer"),
    "deny": N_("deny"),
    "needs_authorization": N_("needs a travel authorization"),
}


@dataclass(frozen=True)
class ReasonShown:
    """One reason as the screen shows it: what it is about, and what it says."""

    code: str
    about: str
    text: str


def reason_shown(
    viewer: Viewer,
    formats: Formats,
    reason: Mapping[str, str],
    day: date,
) -> ReasonShown:
    """A reason in the viewer's words, chosen by its code and filled from what it carries (the
    directive, rule, authorization, field); a directive's rule keeps its own reason text, as
    the directive's authority wrote it."""
    t = viewer.gettext
    code = reason.get("code", "")
    family, _, detail = code.partition(":")
    directive = reason.get("directive", "")
    if family == "match":
        return ReasonShown(code, t(N_("Identity")), t(MATCH_WORDS.get(detail, detail)))
    if code == "identity:not_on_roll":
        text = t(N_("Not a person on the roll: the exit-control directives do not apply."))
        return ReasonShown(code, t(N_("Identity")), text)
    if code == "identity:uncertain":
        text = t(
            N_(
                "Identity uncertain: send the traveler to secondary inspection. A possible "
                "match is never denied."
            )
        )
        return ReasonShown(code, t(N_("Identity")), text)
    if family == "document":
        field_name = t(FIELD_WORDS.get(reason.get("field", ""), reason.get("field", "")))
        message = FINDING_WORDS.get(detail)
        text = reason.get("text", "") if message is None else t(message, field=field_name)
        return ReasonShown(code, t(N_("Document")), text)
    if family == "rule":
        about = t(N_("Directive %(directive)s"), directive=directive)
        text = reason.get("text") or t(
            N_("Rule %(rule)s: %(outcome)s."),
            rule=reason.get("rule", ""),
            outcome=t(OUTCOME_WORDS.get(detail, detail)),
        )
        return ReasonShown(code, about, text)
    if family == "default":
        about = t(N_("Directive %(directive)s"), directive=directive)
        text = t(
            N_("No rule of the directive applies: its default is “%(outcome)s”."),
            outcome=t(OUTCOME_WORDS.get(detail, detail)),
        )
        return ReasonShown(code, about, text)
    if code == "authorization:valid":
        about, order = t(N_("Travel authorization")), reason.get("authorization", "")
        if reason.get("valid_from") and reason.get("valid_until"):
            text = t(
                N_("Order %(order)s, valid from %(start)s to %(end)s."),
                order=order,
                start=formats.date(reason["valid_from"]),
                end=formats.date(reason["valid_until"]),
            )
        else:
            text = t(N_("Order %(order)s is valid today."), order=order)
        return ReasonShown(code, about, text)
    if code == "authorization:missing":
        text = t(N_("None valid on %(day)s."), day=formats.date(reason.get("day") or day))
        return ReasonShown(code, t(N_("Travel authorization")), text)
    if code == "policy:none":
        return ReasonShown(code, t(N_("Policy")), t(N_("No exit-control directive is in force.")))
    return ReasonShown(code, code, reason.get("text", ""))


# A zone's failed check in words, chosen by its code (`documents.mrz.ZoneProblem`).
ZONE_WORDS = {
    "check_digit": N_(
        "%(field)s: the check digit is wrong (%(found)s read, %(expected)s expected)."
    ),
    "check_not_digit": N_("%(field)s: the check digit is not a digit (“%(found)s” read)."),
    "not_a_date": N_("%(field)s: “%(found)s” is not a date (YYMMDD)."),
    "sex": N_("%(field)s: “%(found)s” read, M, F, X or < expected."),
    "line_length": N_("Line %(line)s: %(found)s characters read, %(expected)s expected."),
    "characters": N_("Line %(line)s: characters a zone cannot hold (%(found)s)."),
    "shape": N_(
        "%(count)s line(s) of %(found)s characters read: a zone has 2 lines of 44 "
        "(passport) or 36, or 3 lines of 30 (identity card)."
    ),
}


def zone_problem(viewer: Viewer, problem: ZoneProblem) -> str:
    """A failed check of the zone in the viewer's words, naming its field."""
    message = ZONE_WORDS.get(problem.code)
    if message is None:  # a check added to the reader before its words: its English text
        return str(problem)
    name = viewer.gettext(FIELD_WORDS.get(problem.field, problem.field)) if problem.field else ""
    return viewer.gettext(
        message,
        field=name[:1].upper() + name[1:],
        found=", ".join(map(str, problem.lengths)) if problem.code == "shape" else problem.found,
        expected=problem.expected,
        line=problem.line,
        count=len(problem.lengths),
    )


@dataclass
class Sent:
    """What the officer sent: the zone's text and the typed identity, kept to show again."""

    mrz: str = ""
    identity: dict[str, str] = field(default_factory=dict)
    carried: str = ""  # the zone that failed its checks, sent with the typed identity

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.mrz.splitlines() if line.strip()]

    @property
    def typed(self) -> bool:
        return any(self.identity.get(f) for f in IDENTITY_FIELDS)


class FormError(Exception):
    """Raised when the form cannot become a screening: each field and what it needs."""

    def __init__(self, fields: dict[str, str], focus: str) -> None:
        self.fields, self.focus = fields, focus
        super().__init__(", ".join(fields))


IDENTITY_PROBLEMS = {
    "string_too_short": N_("Required."),
    "missing": N_("Required."),
    "string_too_long": N_("At most %(max)s characters."),
}


def screening_of(viewer: Viewer, shift: Shift, form: Sent) -> Screening:
    """The screening the form asks for: the zone, the typed identity, or both (the identity
    typed after the zone failed its checks); FormError names what is missing."""
    t = viewer.gettext
    if shift.post is None:
        raise FormError({"post": t(N_("Choose the post of this shift first."))}, "post")
    zone = form.lines
    identity = None
    if form.typed:
        values = {f: form.identity.get(f, "").strip() for f in IDENTITY_FIELDS}
        try:
            identity = Identity(
                given_names=values["given_names"],
                surnames=values["surnames"],
                birth_date=values["birth_date"] or None,
                national_id=values["national_id"] or None,
                document_number=values["document_number"] or None,
                nationality=None,
            )
        except ValidationError as err:
            fields: dict[str, str] = {}
            for e in err.errors():
                name = str(e["loc"][0]) if e["loc"] else "given_names"
                message = IDENTITY_PROBLEMS.get(e["type"], N_("Not as expected."))
                fields.setdefault(name, t(message, max=(e.get("ctx") or {}).get("max_length", "")))
            raise FormError(fields, next(f for f in IDENTITY_FIELDS if f in fields)) from err
        zone = [line.strip() for line in form.carried.splitlines() if line.strip()]
    elif not zone:
        raise FormError({"mrz": t(N_("Read the document, or type the identity."))}, "document")
    if len(form.mrz) > MAX_ZONE_CHARS or (zone and not 2 <= len(zone) <= 3):
        message = t(
            N_(
                "%(count)s line(s) read: a zone has 2 lines of 44 (passport) or 36, or 3 "
                "lines of 30 (identity card)."
            ),
            count=len(zone),
        )
        raise FormError({"mrz": message}, "document")
    direction: Direction = "entry" if shift.direction == "entry" else "exit"
    return Screening(post=shift.post, direction=direction, mrz=zone or None, identity=identity)


async def post_names(request: Request) -> dict[str, str]:
    def read() -> dict[str, str]:
        with bootstrap.reading(request.app.state.engine) as conn:
            return {p["code"]: p["name"] for p in listings.list_posts(conn).rows}

    return await run_in_threadpool(read)


async def show(
    request: Request, viewer: Viewer, form: Sent, status: int = 200, **context: Any
) -> Response:
    """The screen (or, for htmx, its working area) with the form as sent and what came of it."""
    account = viewer.account
    assert account is not None  # page_for admits only accounts
    shift = shift_of(account, request.cookies.get(SHIFT_COOKIE))
    partial = request.headers.get("hx-request") == "true"
    names = {} if partial else await post_names(request)
    context.setdefault("focus", "document" if shift.post else "post")
    values = {
        "form": form,
        "shift": shift,
        "posts": [(code, names.get(code, code)) for code in account.posts],
        "directions": DIRECTIONS,
        "screened": None,
        "problem": None,
        "zone_problems": [],
        "fields": {},
        **context,
    }
    template = "officer/_work.html" if partial else "officer/screen.html"
    return respond(request, viewer, template, status=status, **values)


@router.get("/screen")
async def screen_page(request: Request, viewer: OfficerViewer) -> Response:
    """The screening screen: the cursor in the document field, ready for the reader."""
    return await show(request, viewer, Sent())


@router.post("/screen")
async def screen(
    request: Request,
    viewer: OfficerViewer,
    mrz: Annotated[str, Form()] = "",
    carried: Annotated[str, Form()] = "",
    given_names: Annotated[str, Form()] = "",
    surnames: Annotated[str, Form()] = "",
    birth_date: Annotated[str, Form()] = "",
    national_id: Annotated[str, Form()] = "",
    document_number: Annotated[str, Form()] = "",
) -> Response:
    """Screen the traveler: the zone read, or the identity typed (with the zone that failed
    its checks, if any); the decision, or what stopped it, in the page."""
    account = viewer.account
    assert account is not None
    typed = dict(
        given_names=given_names,
        surnames=surnames,
        birth_date=birth_date,
        national_id=national_id,
        document_number=document_number,
    )
    form = Sent(mrz, typed, carried)
    shift = shift_of(account, request.cookies.get(SHIFT_COOKIE))
    try:
        screening = screening_of(viewer, shift, form)
        answer = await screen_and_record(request.app.state, account, screening)
    except FormError as err:
        return await show(request, viewer, form, 400, fields=err.fields, focus=err.focus)
    except DocumentCheckError as err:
        # The cursor goes to the typed identity, which is then screened with these lines.
        shown = [zone_problem(viewer, p) for p in err.problems] or [str(err)]
        kept = Sent(form.mrz, typed, "\n".join(form.lines))
        return await show(request, viewer, kept, 400, zone_problems=shown, focus="given_names")
    except BirthDateError:
        message = viewer.gettext(
            N_("“%(value)s” is not a date: write it as DD/MM/YYYY or YYYY-MM-DD."),
            value=birth_date.strip(),
        )
        fields = {"birth_date": message}
        return await show(request, viewer, form, 400, fields=fields, focus="birth_date")
    except TimeoutError:
        unavailable = CrossingWriterUnavailableError("the crossing writer did not answer in time")
        shown_problem = problems.shown(viewer, unavailable)
        return await show(request, viewer, form, 503, problem=shown_problem, focus="document")
    except MusterError as err:
        return await show(
            request, viewer, form, status_of(err), problem=problems.shown(viewer, err)
        )
    formats = Formats(viewer.language, viewer.zone)
    day = today(request.app.state.settings)
    reasons = [reason_shown(viewer, formats, r, day) for r in answer["reasons"]]
    typed_over_zone = bool(screening.mrz and screening.identity)
    screened = {
        **answer,
        "shown_reasons": reasons,
        "post": screening.post,
        "direction": screening.direction,
        "typed_over_failed_zone": typed_over_zone and not answer["document_checks_passed"],
    }
    return await show(request, viewer, Sent(form.mrz, typed), screened=screened, focus="banner")


@router.post("/screen/shift")
async def set_shift(
    request: Request,
    viewer: OfficerViewer,
    post: Annotated[str, Form()] = "",
    direction: Annotated[str, Form()] = "exit",
) -> Response:
    """Set the post and direction of this shift (kept for the browser's session)."""
    account = viewer.account
    assert account is not None
    post = post.strip().upper()
    if post not in account.posts or direction not in DIRECTIONS:
        message = viewer.gettext(N_("Choose one of your posts, and exit or entry."))
        return await show(request, viewer, Sent(), 400, fields={"post": message}, focus="post")
    response = RedirectResponse("/screen", status_code=303)
    response.set_cookie(
        SHIFT_COOKIE,
        f"{post}.{direction}",
        secure=client_of(request, request.app.state.settings).tls,
        httponly=True,
        samesite="strict",
    )
    return response
