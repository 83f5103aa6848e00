"""The authority's pages: the drafts awaiting its signature, the review of one (what it would
change, what the registry would refuse), and signing or declining it (with a reason); whoever
drafted a draft withdraws it from the same page. The private key never reaches the
server: the page decrypts the key file and signs in the browser (`static/authority.js`), or
the signer runs `muster order sign` elsewhere; either way only the signature is sent, and it
is recorded as `POST /api/v1/orders` records it."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import RedirectResponse, Response

from muster import bootstrap
from muster.accounts.accounts import Role
from muster.actor import Actor
from muster.domain import errors as d
from muster.domain.orders import OrderContent
from muster.domain.roll import PersonState
from muster.errors import MusterError
from muster.ledger.canonical import sha256_hex
from muster.reference_data import load_reference
from muster.registry import review as rv
from muster.registry.opening import writing
from muster.registry.signing_flow import (
    DECLINED,
    NOTE_MAX,
    WITHDRAWN,
    decline_draft,
    load_draft,
    submit_signature,
    withdraw_draft,
)
from muster.web import nav, problems, words
from muster.web.i18n import N_, Formats
from muster.web.respond import respond
from muster.web.session import Viewer, page_for

PAGE_SIZE = 100  # subjects shown a page
REFUSALS_SHOWN = 200  # refused subjects listed on the review page (the count is always said)
OWN_SHOWN = 50  # the viewer's own drafts listed under those awaiting a signature
SIGNATURE_FILE_BYTES = 4096  # the body `muster order sign` prints is a few hundred bytes


class DraftIdConvertor(Convertor[str]):
    """A draft's id in a page's address (`d_` and the random part `save_draft` gives it), so
    that other pages under `/drafts/` (`/drafts/new`) are never taken for a draft."""

    regex = "d_[A-Za-z0-9_-]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("draft_id", DraftIdConvertor())
router = APIRouter(include_in_schema=False)
# Drafters (clerks and authorities) review a draft; only an authority signs, and only its own.
Reviewer = Annotated[Viewer, Depends(page_for(Role.CLERK, Role.AUTHORITY))]
Signer = Annotated[Viewer, Depends(page_for(Role.AUTHORITY))]
nav.add("/drafts", N_("Drafts to sign"), Role.AUTHORITY)
nav.add("/drafts", N_("Drafts"), Role.CLERK)  # every draft awaiting, and the clerk's own

FAULTS = {
    "unknown_key": N_(
        "The key that signed (fingerprint %(key)s) is not registered in this registry: "
        "sign with a key of %(authority)s."
    ),
    "other_authority": N_(
        "The key that signed belongs to %(owner)s, not to %(authority)s: sign with a key of "
        "%(authority)s."
    ),
    "revoked_key": N_(
        "The key that signed (fingerprint %(key)s) of %(authority)s is revoked: sign with an "
        "active key."
    ),
    "bad_signature": N_(
        "The signature does not verify over this draft with key %(key)s of %(authority)s: "
        "nothing was recorded. Sign this draft again."
    ),
}
MALFORMED = N_("The signature sent is not one: expected 64 bytes in base64 and a key fingerprint.")
WRONG_FILE = N_(
    "This file is not the signature of this draft: expected the output of `muster order "
    "sign` for draft %(draft)s."
)
OTHER_AUTHORITY = N_("This draft is for %(authority)s to sign; you sign for %(yours)s.")
NO_DRAFT = N_("There is no draft %(draft)s.")
NO_REASON = N_("Say why you decline this draft: the reason is what its drafter reads.")
TOO_LONG = N_("At most %(max)s characters: this one has %(count)s.")


TALLY_TITLES = (
    ("component", N_("By component")),
    ("rank", N_("By rank")),
    ("status", N_("By status")),
    ("category", N_("By category")),
)
TALLY_HEADS = {
    "component": N_("Component"),
    "rank": N_("Rank"),
    "status": N_("Status"),
    "category": N_("Category"),
}
NO_RANK = N_("no rank")


@dataclass(frozen=True)
class Wording:
    """The registry's values as a viewer reads them: components and ranks by their names in
    the viewer's language (the reference tables), statuses and categories by their words."""

    viewer: Viewer

    def component(self, code: str) -> str:
        found = load_reference().components.get(code)
        if found is None:
            return code
        return found.name_es if self.viewer.language == "es" else found.name_en

    def rank(self, component: str, rank: str | None) -> str:
        if rank is None:
            return self.viewer.gettext(NO_RANK)
        found = load_reference().ranks.get((component, rank))
        name = rank if found is None or self.viewer.language == "es" else found.name_en
        return f"{name} ({component})"

    def value(self, name: str, value: Any) -> str:
        """A value of one of the review's counts (`review.TALLIED`)."""
        if name == "component":
            return self.component(value)
        if name == "rank":
            return self.rank(*value)
        return self.viewer.gettext(words.word(name, value))

    def field(self, state: PersonState, name: str) -> str:
        if name == "rank":
            return self.rank(state.component, state.rank)
        return self.value(name, rv.value_of(state, name))

    def change(self, c: rv.SubjectChange, name: str) -> str:
        """A subject's value before and after (`before → after`), or the one it keeps."""
        states = [s for s in (c.before, c.after) if s is not None]
        shown = list(dict.fromkeys(self.field(s, name) for s in states))
        return " → ".join(shown)

    def refusal(self, c: rv.SubjectChange) -> str:
        """Why the rules refuse a subject: the headline in the viewer's language, and the
        registry's own words when the headline is only a family's (no transition named)."""
        if c.refusal is None:
            return ""
        shown = problems.shown(self.viewer, c.refusal)
        if isinstance(c.refusal, d.TransitionRefusedError):
            return shown.headline
        return f"{shown.headline} {shown.detail}"

    def context(self) -> dict[str, Any]:
        return {
            "tally_titles": TALLY_TITLES,
            "tally_heads": TALLY_HEADS,
            "shown_value": self.value,
            "change_of": self.change,
            "refusal_of": self.refusal,
        }


def engine_of(request: Request) -> Any:
    return request.app.state.engine


def own_authority(viewer: Viewer) -> str | None:
    """The authority whose drafts the viewer sees: their own (an authority), or all (None)."""
    assert viewer.account is not None
    if viewer.account.role is Role.AUTHORITY:
        return viewer.account.authority or ""
    return None


@router.get("/drafts")
async def drafts_page(request: Request, viewer: Reviewer) -> Response:
    authority = own_authority(viewer)

    assert viewer.account is not None
    name = viewer.account.name

    def read() -> tuple[tuple[list[rv.PendingDraft], int], tuple[list[rv.PendingDraft], int]]:
        with bootstrap.reading(engine_of(request)) as conn:
            return rv.pending_drafts(conn, authority), rv.drafts_by(conn, name, OWN_SHOWN)

    (found, total), (own, own_total) = await run_in_threadpool(read)
    return respond(
        request,
        viewer,
        "authority/drafts.html",
        drafts=found,
        total=total,
        authority=authority,
        own=own,
        own_total=own_total,
    )


@dataclass
class ReviewPage:
    """What the review page shows: the draft as kept, its review while unsigned (or, for one
    page of subjects alone, that page), or the order it became."""

    record: rv.DraftRecord
    subject_count: int = 0
    review: rv.Review | None = None
    changes: list[rv.SubjectChange] | None = None
    recorded: dict[str, Any] | None = None
    closed: rv.PendingDraft | None = None


def read_review(
    request: Request, draft_id: str, page: int, full: bool, mine: str | None
) -> ReviewPage:
    """A draft's review page for a viewer who sees `mine`'s drafts (None: everyone's); the
    draft alone when it is another authority's."""
    with bootstrap.reading(engine_of(request)) as conn:
        record = rv.find_draft(conn, draft_id)
        if mine is not None and record.authority != mine:
            return ReviewPage(record)
        if record.recorded_seq is not None:
            recorded = rv.recorded_order(conn, record.recorded_seq)
            recorded["refs"] = rv.draft_refs(conn, draft_id, PAGE_SIZE)
            return ReviewPage(record, recorded["subjects"], recorded=recorded)
        if record.closed_as is not None:
            closed = rv.listed_draft(conn, draft_id)
            count = closed.content.subjects.count if closed.content.subjects else 0
            return ReviewPage(record, count, closed=closed)
        start, stop = page * PAGE_SIZE, (page + 1) * PAGE_SIZE
        if not full:  # one more page of subjects: only theirs are folded
            draft = load_draft(conn, draft_id)
            changes = rv.subject_changes(conn, draft, start, stop)
            return ReviewPage(record, rv.subject_total(conn, draft), changes=changes)
        found = rv.review_draft(conn, draft_id)
        changes = rv.subject_changes(conn, found.draft, start, stop)
        return ReviewPage(record, found.subject_count, found, changes)


def review_context(viewer: Viewer, shown: ReviewPage, page: int) -> dict[str, Any]:
    """The template's context for a review page: the draft, its review, the page of subjects."""
    found = shown.review
    wording = Wording(viewer)
    context: dict[str, Any] = {
        "record": shown.record,
        "review": found,
        "changes": shown.changes or [],
        "recorded": shown.recorded,
        "subject_count": shown.subject_count,
        "page": page,
        "pages": max(1, -(-shown.subject_count // PAGE_SIZE)),
        "page_size": PAGE_SIZE,
        "refusals_shown": REFUSALS_SHOWN,
        "problems": [],
        "refused": [],
        "closed": shown.closed,
        "can_sign": False,
        "sign_problem": None,
        "close_problem": None,
        "note_max": NOTE_MAX,
        "can_withdraw": viewer.account is not None
        and viewer.account.name == shown.record.created_by
        and shown.record.state == rv.AWAITING,
        **wording.context(),
    }
    if found is not None:
        content = found.draft.content
        context.update(
            content=content,
            draft_file=draft_file_name(content.number),
            order_b64=base64.b64encode(found.draft.order_bytes).decode(),
            sha256=sha256_hex(found.draft.order_bytes),
            problems=[problems.shown(viewer, e) for e in found.problems],
            refused=[(c.ref, wording.refusal(c)) for c in found.refused[:REFUSALS_SHOWN]],
            rules_text=rules_text(content),
            can_sign=viewer.account is not None
            and viewer.account.role is Role.AUTHORITY
            and viewer.account.authority == content.authority,
        )
    return context


def rules_text(content: OrderContent) -> str | None:
    """A directive's rules as the signed JSON holds them, for the reader."""
    rules = content.to_json().get("rules")
    return None if rules is None else json.dumps(rules, ensure_ascii=False, indent=2)


def not_found(request: Request, viewer: Viewer, draft_id: str) -> Response:
    problem = problems.Shown("NotFoundError", viewer.gettext(NO_DRAFT, draft=draft_id))
    return respond(request, viewer, "authority/problem.html", status=404, problem=problem)


def forbidden_draft(request: Request, viewer: Viewer, authority: str) -> Response:
    assert viewer.account is not None
    headline = viewer.gettext(
        OTHER_AUTHORITY, authority=authority, yours=viewer.account.authority or "—"
    )
    problem = problems.Shown("OrderOutOfScopeError", headline)
    return respond(request, viewer, "authority/problem.html", status=403, problem=problem)


@router.get("/drafts/{draft_id:draft_id}")
async def review_page(request: Request, viewer: Reviewer, draft_id: str, page: int = 0) -> Response:
    """The review of a draft; with htmx, one page of its subjects alone."""
    page = max(0, page)
    partial = request.headers.get("hx-request") == "true"
    mine = own_authority(viewer)
    try:
        shown = await run_in_threadpool(read_review, request, draft_id, page, not partial, mine)
    except d.NotFoundError:
        return not_found(request, viewer, draft_id)
    if mine is not None and shown.record.authority != mine:
        return forbidden_draft(request, viewer, shown.record.authority)
    context = review_context(viewer, shown, page)
    if partial and shown.review is None and shown.changes is not None and shown.closed is None:
        return respond(request, viewer, "authority/_subjects.html", **context)
    return respond(request, viewer, "authority/review.html", **context)


@router.get("/drafts/{draft_id:draft_id}/draft.json")
async def draft_file(request: Request, viewer: Reviewer, draft_id: str) -> Response:
    """The draft as `POST /api/v1/orders/drafts` answers it: what `muster order sign` reads."""

    def read() -> tuple[str, dict[str, Any]]:
        with bootstrap.reading(engine_of(request)) as conn:
            draft = load_draft(conn, draft_id)
        return draft.content.authority, {
            "draft_id": draft_id,
            "bytes": base64.b64encode(draft.order_bytes).decode(),
            "sha256": sha256_hex(draft.order_bytes),
            "content": draft.content.to_json(),
        }

    try:
        authority, body = await run_in_threadpool(read)
    except (d.NotFoundError, d.RefusedError):
        return not_found(request, viewer, draft_id)
    mine = own_authority(viewer)
    if mine is not None and authority != mine:
        return forbidden_draft(request, viewer, authority)
    name = draft_file_name(body["content"]["number"])
    return Response(
        json.dumps(body, ensure_ascii=False, sort_keys=True, indent=2) + "\n",
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def draft_file_name(number: str) -> str:
    """The name a downloaded draft is saved under: its order number, safe for any shell."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", number) + ".draft.json"


@dataclass(frozen=True)
class SentSignature:
    signature: bytes
    fingerprint: str


def sent_signature(
    draft_id: str, signature: str, key: str, uploaded: bytes | None
) -> SentSignature | str:
    """The signature a form sends: typed fields from the page's own signing, or the body
    `muster order sign` wrote (uploaded); else the message id saying what is wrong."""
    if uploaded:
        try:
            body = json.loads(uploaded)
        except (ValueError, UnicodeDecodeError):
            return WRONG_FILE
        if not isinstance(body, dict) or body.get("draft_id") != draft_id:
            return WRONG_FILE
        signature, key = str(body.get("signature", "")), str(body.get("key", ""))
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return MALFORMED
    if len(raw) != 64 or not re.fullmatch(r"[0-9a-f]{64}", key):
        return MALFORMED
    return SentSignature(raw, key)


@router.post("/drafts/{draft_id:draft_id}/sign")
async def sign(
    request: Request,
    viewer: Signer,
    draft_id: str,
    signature: Annotated[str, Form(max_length=200)] = "",
    key: Annotated[str, Form(max_length=100)] = "",
    signature_file: UploadFile | None = None,
) -> Response:
    """Record a draft with the signature sent for it, as `POST /api/v1/orders` does."""
    assert viewer.account is not None
    account = viewer.account
    uploaded = None
    if signature_file is not None and signature_file.filename:
        uploaded = await signature_file.read(SIGNATURE_FILE_BYTES + 1)
    sent = sent_signature(draft_id, signature, key, uploaded)
    engine = engine_of(request)

    def check() -> tuple[str, problems.Shown | None]:
        """The draft's authority, and what would refuse the signature, said in words."""
        with bootstrap.reading(engine) as conn:
            draft = load_draft(conn, draft_id)
            authority = draft.content.authority
            if authority != account.authority or isinstance(sent, str):
                return authority, None
            fault = rv.signature_fault(
                conn, draft.content, draft.order_bytes, sent.signature, sent.fingerprint
            )
        if fault is None:
            return authority, None
        reason, owner = fault
        words = viewer.gettext(
            FAULTS[reason], key=sent.fingerprint, authority=authority, owner=owner or ""
        )
        return authority, problems.Shown("SignatureError", words)

    try:
        authority, fault = await run_in_threadpool(check)
    except d.NotFoundError:
        return not_found(request, viewer, draft_id)
    except d.DraftClosedError as err:  # withdrawn or declined: never signed
        return await review_again(request, viewer, draft_id, problems.shown(viewer, err), 409)
    except d.RefusedError:  # signed already: the page says by which order
        return RedirectResponse(f"/drafts/{draft_id}", status_code=303)
    if authority != account.authority:
        return forbidden_draft(request, viewer, authority)
    if isinstance(sent, str):
        fault = problems.Shown("InvalidInputError", viewer.gettext(sent, draft=draft_id))
    if fault is not None:
        return await review_again(request, viewer, draft_id, fault, 400)

    assert isinstance(sent, SentSignature)
    settings = request.app.state.settings
    passphrase = settings.registry_passphrase

    def record() -> None:
        secret = passphrase.get_secret_value() if passphrase else None
        with writing(engine, secret) as (conn, reg):
            if load_draft(conn, draft_id).content.authority != account.authority:
                raise d.OrderOutOfScopeError(f"{account.name} signs only for {account.authority}")
            actor = Actor(Actor.current().os_user, account.name)
            submit_signature(conn, reg, actor, draft_id, sent.signature, sent.fingerprint)

    try:
        await run_in_threadpool(record)
    except MusterError as err:  # refused by the registry: nothing was written
        return await review_again(request, viewer, draft_id, problems.shown(viewer, err), 409)
    request.app.state.caches.orders.recorded()  # the next screening sees it
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


async def review_again(
    request: Request,
    viewer: Viewer,
    draft_id: str,
    problem: problems.Shown,
    status: int,
    closing: bool = False,
) -> Response:
    """The review page again, with what refused the signature where the signing is."""
    try:
        shown = await run_in_threadpool(
            read_review, request, draft_id, 0, True, own_authority(viewer)
        )
    except d.NotFoundError:
        return not_found(request, viewer, draft_id)
    context = review_context(viewer, shown, 0)
    context["close_problem" if closing else "sign_problem"] = problem
    return respond(request, viewer, "authority/review.html", status=status, **context)


def note_problem(viewer: Viewer, text: str, required: bool) -> problems.Shown | None:
    """What is wrong with a withdrawal's note or a refusal's reason, in words; None: nothing."""
    cleaned = text.strip()
    if required and not cleaned:
        return problems.Shown("InvalidInputError", viewer.gettext(NO_REASON))
    if len(cleaned) > NOTE_MAX:
        count = Formats(viewer.language).number(len(cleaned))
        headline = viewer.gettext(
            TOO_LONG, max=Formats(viewer.language).number(NOTE_MAX), count=count
        )
        return problems.Shown("InvalidInputError", headline)
    return None


async def close_draft(
    request: Request, viewer: Viewer, draft_id: str, text: str, how: str
) -> Response:
    """Withdraw (`how` withdrawn) or decline a draft as the viewer, then show its page."""
    assert viewer.account is not None
    account = viewer.account
    problem = note_problem(viewer, text, required=how == DECLINED)
    if problem is not None:
        return await review_again(request, viewer, draft_id, problem, 400, closing=True)

    def close() -> None:
        with engine_of(request).begin() as conn:
            if how == DECLINED:
                decline_draft(conn, draft_id, account.name, account.authority or "", text)
            else:
                withdraw_draft(conn, draft_id, account.name, text)

    try:
        await run_in_threadpool(close)
    except d.NotFoundError:
        return not_found(request, viewer, draft_id)
    except d.DraftNotYoursError as err:
        shown = problems.shown(viewer, err)
        return respond(request, viewer, "authority/problem.html", status=403, problem=shown)
    except MusterError as err:  # closed or signed meanwhile: nothing was changed
        status = 409 if isinstance(err, d.RefusedError) else 400
        shown = problems.shown(viewer, err)
        return await review_again(request, viewer, draft_id, shown, status, closing=True)
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


@router.post("/drafts/{draft_id:draft_id}/withdraw")
async def withdraw(
    request: Request,
    viewer: Reviewer,
    draft_id: str,
    note: Annotated[str, Form(max_length=4 * NOTE_MAX)] = "",
) -> Response:
    """Withdraw a draft awaiting its signature: only the account that drafted it."""
    return await close_draft(request, viewer, draft_id, note, WITHDRAWN)


@router.post("/drafts/{draft_id:draft_id}/decline")
async def decline(
    request: Request,
    viewer: Signer,
    draft_id: str,
    reason: Annotated[str, Form(max_length=4 * NOTE_MAX)] = "",
) -> Response:
    """Decline a draft awaiting this authority's signature, with the reason its drafter
    reads."""
    return await close_draft(request, viewer, draft_id, reason, DECLINED)
