"""Roll import by upload and order drafting, for clerks and authorities (the roles of the
API's drafts): a roll file checked in the background, every bad row shown, and a valid file
kept as an enlistment draft; any other order drafted with its subjects picked from the roll
or uploaded as a file. Drafts are signed by their authority on its own pages."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from muster import bootstrap
from muster.accounts.accounts import Role
from muster.api.limits import body_limit
from muster.config import Settings, today
from muster.domain import errors as d
from muster.domain.kinds import Category, OrderKind
from muster.domain.orders import check_order_dates, subject_lines
from muster.errors import MusterError
from muster.registry import drafts, reading, roll_draft
from muster.registry.authorities import list_authorities
from muster.registry.draft_trial import refusals_at_signing
from muster.registry.opening import registry_row
from muster.registry.roll_import import EnlistmentRequest
from muster.registry.signing_flow import load_draft, save_draft
from muster.web import import_jobs, nav, problems, words
from muster.web.i18n import N_
from muster.web.respond import respond
from muster.web.session import Viewer, page_for

router = APIRouter(include_in_schema=False)
DRAFTERS = (Role.CLERK, Role.AUTHORITY)  # as the API's `POST /orders/drafts`
Drafter = Annotated[Viewer, Depends(page_for(*DRAFTERS))]
nav.add("/imports", N_("Roll import"), *DRAFTERS)
nav.add("/drafts/new", N_("New order"), *DRAFTERS)

PROBLEMS_PER_PAGE = 100
SEARCH_LIMIT = 20
# The kinds drafted here (every kind the API drafts) and the prefix of the number suggested.
KIND_PREFIXES = {
    OrderKind.ABSENCE: "AUS",
    OrderKind.STRIKE_OFF: "BAJA",
    OrderKind.REINSTATEMENT: "REINC",
    OrderKind.DISCHARGE: "LIC",
    OrderKind.CATEGORY_CHANGE: "CAT",
    OrderKind.TRAVEL_AUTHORIZATION: "AUT",
    OrderKind.AMENDMENT: "ENM",
    OrderKind.REVOCATION: "REV",
    OrderKind.EXIT_CONTROL: "DIR",
}
FIELD_LABELS = {
    "file": N_("Roll file"),
    "authority": N_("Authority"),
    "number": N_("Order number"),
    "signed_on": N_("Signed on"),
    "effective": N_("Effective from"),
    "kind": N_("Kind of order"),
    "subjects": N_("Subjects"),
    "category": N_("New category"),
    "valid_from": N_("Valid from"),
    "valid_until": N_("Valid until"),
    "revokes": N_("Order revoked"),
    "rules": N_("Rules (JSON)"),
    "changes": N_("Changes"),
}


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def field_error(field: str, message: str) -> d.InvalidInputError:
    """A refused form field: the message is taken as written (a value may hold braces)."""
    return d.InvalidInputError(d.literal(message), fields=(field,))


def parse_day(text: str, field: str, default: date | None = None) -> date | None:
    """A date typed in a form (YYYY-MM-DD, as date inputs send it)."""
    text = text.strip()
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise field_error(field, f"{field}: {text!r}: expected a date as YYYY-MM-DD") from None


def shown(viewer: Viewer, err: MusterError) -> problems.Shown:
    """A refusal as the page shows it: `web.problems`' words, each refused subject in the
    viewer's language, and the fields named by their labels."""
    found = problems.shown(viewer, err)
    items = found.items
    if isinstance(err, d.SubjectsRefusedError) and err.causes:
        items = [f"{ref}: {problems.shown(viewer, why).headline}" for ref, why in err.causes]
    elif isinstance(err, d.UnknownSubjectError | d.DuplicateSubjectError):
        items = [subject_item(viewer, p) for p in err.problems]
    elif isinstance(err, d.InvalidInputError) and err.fields:
        labels = [viewer.gettext(FIELD_LABELS.get(f, f)) for f in err.fields]
        items = [viewer.gettext(N_("Field: %(field)s"), field=", ".join(labels))]
    return problems.Shown(found.code, found.headline, items, found.detail)


def subject_item(viewer: Viewer, p: d.SubjectProblem) -> str:
    if p.problem == drafts.NOT_ON_ROLL:
        text = viewer.gettext(N_("%(ref)s: not on the roll"), ref=p.ref)
    else:
        text = viewer.gettext(N_("%(ref)s: named twice"), ref=p.ref)
    if p.line is None:
        return text
    return viewer.gettext(N_("Line %(line)s: %(text)s"), line=p.line, text=text)


def invalid_fields(err: MusterError | None) -> list[str]:
    return list(getattr(err, "fields", ()) or ()) if err is not None else []


# ---------------------------------------------------------------- roll import by upload


def enlisting(request: Request, viewer: Viewer) -> list[roll_draft.EnlistingAuthority]:
    """The authorities the viewer may draft an enlistment for (an authority: its own)."""
    with bootstrap.reading(request.app.state.engine) as conn:
        found = roll_draft.enlisting_authorities(conn)
    assert viewer.account is not None
    if viewer.account.role is Role.AUTHORITY:
        found = [a for a in found if a.code == viewer.account.authority]
    return found


def import_page(
    request: Request,
    viewer: Viewer,
    authorities: Sequence[roll_draft.EnlistingAuthority],
    status: int = 200,
    **context: Any,
) -> Response:
    settings = settings_of(request)
    err = context.pop("error", None)
    values = {"authority": "", "number": "", "signed_on": "", "effective": "", "grounds": ""}
    values.update(context.pop("values", {}))
    return respond(
        request,
        viewer,
        "drafting/imports.html",
        status=status,
        authorities=authorities,
        today=today(settings).isoformat(),
        max_bytes=settings.max_upload_bytes,
        values=values,
        problem=shown(viewer, err) if err is not None else None,
        invalid=invalid_fields(err),
        **context,
    )


@router.get("/imports")
async def imports(request: Request, viewer: Drafter) -> Response:
    authorities = await run_in_threadpool(enlisting, request, viewer)
    return import_page(request, viewer, authorities)


@router.post("/imports")
@body_limit("max_upload_bytes")  # a roll file: thousands of rows
async def upload_roll(
    request: Request,
    viewer: Drafter,
    file: Annotated[UploadFile | None, File()] = None,
    authority: Annotated[str, Form(max_length=40)] = "",
    number: Annotated[str, Form(max_length=100)] = "",
    signed_on: Annotated[str, Form(max_length=20)] = "",
    effective: Annotated[str, Form(max_length=20)] = "",
    grounds: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check an uploaded roll file in the background; the answer shows its progress."""
    settings = settings_of(request)
    authorities = await run_in_threadpool(enlisting, request, viewer)
    values = {
        "authority": authority,
        "number": number,
        "signed_on": signed_on,
        "effective": effective,
        "grounds": grounds,
    }
    try:
        if file is None or not file.filename:
            raise field_error("file", "file: choose a roll file (CSV) to upload")
        if authority not in {a.code for a in authorities}:
            raise field_error("authority", f"authority {authority!r}: not one you may draft for")
        signed = parse_day(signed_on, "signed_on", today(settings))
        assert signed is not None
        effect = parse_day(effective, "effective", signed)
        assert effect is not None
        check_order_dates(number.strip() or "(new)", signed, effect, today(settings))
    except d.InvalidInputError as err:
        return import_page(request, viewer, authorities, 400, error=err, values=values)
    upload = file

    def copy_into(path: Path) -> None:
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out, 1 << 20)

    assert viewer.account is not None
    wanted = EnlistmentRequest(number.strip(), authority, signed, effect, grounds.strip())
    job = await run_in_threadpool(
        import_jobs.start,
        settings,
        request.app.state.engine,
        viewer.account.name,
        Path(file.filename).name[:200],
        copy_into,
        wanted,
    )
    if request.headers.get("hx-request") != "true":
        return RedirectResponse(f"/imports/{job.id}", status_code=303)
    context = job_context(settings, job, 1)
    context.pop("error")
    return respond(request, viewer, "drafting/job.html", status=202, problem=None, **context)


def job_context(settings: Settings, job: import_jobs.Job, page: int) -> dict[str, Any]:
    """What the page shows of a check: its progress, or its result (one page of problems)."""
    pages = max(1, -(-job.problem_count // PROBLEMS_PER_PAGE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PROBLEMS_PER_PAGE
    rows = []
    if job.state == import_jobs.REFUSED and job.problem_count:
        rows = import_jobs.problems_page(settings, job, start, PROBLEMS_PER_PAGE)
    return {
        "job": job,
        "error": import_jobs.error_of(job) if job.state == import_jobs.REFUSED else None,
        "rows": rows,
        "page": page,
        "pages": pages,
        "first": start + 1,
        "last": start + len(rows),
    }


@router.get("/imports/{job_id}")
async def import_job(request: Request, viewer: Drafter, job_id: str, page: int = 1) -> Response:
    """An uploaded file's check: its progress while it runs, then its draft or every bad row."""
    settings = settings_of(request)
    assert viewer.account is not None
    job = await run_in_threadpool(import_jobs.load, settings, job_id, viewer.account.name)
    if job is None:
        return respond(request, viewer, "drafting/no_job.html", status=404)
    context = await run_in_threadpool(job_context, settings, job, page)
    err = context.pop("error")
    return respond(
        request,
        viewer,
        "drafting/job.html",
        problem=shown(viewer, err) if err is not None else None,
        **context,
    )


# ---------------------------------------------------------------- order drafting


def drafting_authorities(request: Request, viewer: Viewer) -> list[Any]:
    """The authorities the viewer may draft orders (not enlistments) for."""
    with bootstrap.reading(request.app.state.engine) as conn:
        found = [a for a in list_authorities(conn) if set(a.kinds) & {k.value for k in KINDS}]
    assert viewer.account is not None
    if viewer.account.role is Role.AUTHORITY:
        found = [a for a in found if a.code == viewer.account.authority]
    return found


KINDS = tuple(KIND_PREFIXES)


def suggested_number(request: Request, kind: str, authority: str, signed_on: str) -> str:
    try:
        prefix = KIND_PREFIXES[OrderKind(kind)]
        day = parse_day(signed_on, "signed_on", today(settings_of(request)))
    except (ValueError, KeyError, d.InvalidInputError):
        return ""
    assert day is not None
    with bootstrap.reading(request.app.state.engine) as conn:
        return drafts.next_order_number(conn, f"{prefix}-{authority}", day)


def draft_page(request: Request, viewer: Viewer, status: int = 200, **context: Any) -> Response:
    settings = settings_of(request)
    authorities = drafting_authorities(request, viewer)
    values: dict[str, Any] = {
        "kind": OrderKind.STRIKE_OFF.value,
        "authority": authorities[0].code if authorities else "",
        "number": "",
        "signed_on": today(settings).isoformat(),
        "effective": "",
        "grounds": "",
        "category": "",
        "valid_from": "",
        "valid_until": "",
        "revokes": "",
        "rules": "",
        "changes": "",
        "subjects": [],
    }
    values.update(context.pop("values", {}))
    if not values["number"]:
        values["number"] = suggested_number(
            request, values["kind"], values["authority"], values["signed_on"]
        )
    err = context.pop("error", None)
    return respond(
        request,
        viewer,
        "drafting/new.html",
        status=status,
        kinds=[(k.value, words.KINDS[k], k.has_subjects) for k in KINDS],
        categories=[(c.value, words.CATEGORIES[c]) for c in Category],
        authorities=authorities,
        today=today(settings).isoformat(),
        values=values,
        problem=shown(viewer, err) if err is not None else None,
        invalid=invalid_fields(err),
        made=context.pop("made", None),
        **context,
    )


@router.get("/drafts/new")
async def new_draft(request: Request, viewer: Drafter, made: str = "") -> Response:
    def read_made() -> Any:
        if not made:
            return None
        try:
            with bootstrap.reading(request.app.state.engine) as conn:
                return load_draft(conn, made)
        except (d.NotFoundError, d.RefusedError):
            return None

    draft = await run_in_threadpool(read_made)
    context = {"made": draft, "made_id": made}
    return await run_in_threadpool(draft_page, request, viewer, 200, **context)


@router.get("/drafts/new/number")
async def number_suggestion(
    request: Request,
    viewer: Drafter,
    kind: str = "",
    authority: str = "",
    signed_on: str = "",
) -> Response:
    """The number field filled with the next free number for the kind and authority."""
    number = await run_in_threadpool(suggested_number, request, kind, authority, signed_on)
    return respond(request, viewer, "drafting/_number.html", values={"number": number}, invalid=[])


@router.get("/drafts/new/people")
async def people(request: Request, viewer: Drafter, q: str = Query("", max_length=200)) -> Response:
    """People of the roll to add as subjects: by name, serial number or cédula."""
    settings = settings_of(request)

    def search() -> list[dict[str, Any]]:
        text = q.strip()
        if len(text) < 2:
            return []
        day = today(settings)
        with bootstrap.reading(request.app.state.engine) as conn:
            found = reading.search_people(conn, text, day, SEARCH_LIMIT)
            try:
                exact = reading.person_view(conn, text, day)
            except (d.NotFoundError, d.AmbiguousSubjectError):
                return found
        others = [p for p in found if p["person_id"] != exact["person_id"]]
        return [exact, *others][:SEARCH_LIMIT]

    found = await run_in_threadpool(search)
    return respond(request, viewer, "drafting/_people.html", people=found, q=q.strip())


def order_request(form: dict[str, Any], refs: list[str], lines: list[int], source: str) -> Any:
    """The order asked for in the form, with only the fields its kind takes."""
    try:
        kind = OrderKind(form["kind"])
    except ValueError:
        raise field_error("kind", f"kind {form['kind']!r}: not a kind of order") from None
    if kind not in KINDS:
        raise field_error("kind", f"kind {kind.value!r}: drafted from a roll file (/imports)")
    signed = parse_day(form["signed_on"], "signed_on")
    if signed is None:
        raise field_error("signed_on", "signed_on: give the date the order is signed")
    travel = kind is OrderKind.TRAVEL_AUTHORIZATION
    category = None
    if kind is OrderKind.CATEGORY_CHANGE:
        try:
            category = Category(form["category"])
        except ValueError:
            raise field_error("category", "category: choose the new category") from None
    return drafts.OrderRequest(
        kind=kind,
        number=form["number"].strip(),
        authority=form["authority"],
        signed_on=signed,
        effective=parse_day(form["effective"], "effective", signed) or signed,
        grounds=form["grounds"].strip(),
        refs=refs if kind.has_subjects else [],
        category=category,
        valid_from=parse_day(form["valid_from"], "valid_from") if travel else None,
        valid_until=parse_day(form["valid_until"], "valid_until") if travel else None,
        revokes=form["revokes"].strip() or None if kind is OrderKind.REVOCATION else None,
        rules=rules_of(form["rules"]) if kind is OrderKind.EXIT_CONTROL else None,
        changes=changes_of(form["changes"]) if kind is OrderKind.AMENDMENT else None,
        source=source,
        ref_lines=lines,
    )


def rules_of(text: str) -> dict[str, Any]:
    import json

    try:
        rules = json.loads(text)
    except json.JSONDecodeError as err:
        raise field_error("rules", f"rules: not JSON ({err})") from None
    if not isinstance(rules, dict):
        raise field_error("rules", "rules: expected a JSON object (an exit-control directive)")
    return rules


def changes_of(text: str) -> dict[str, str]:
    """`field=value` lines, as `muster order issue --set` takes them."""
    found = {}
    for line in text.splitlines():
        if line.strip():
            name, sep, value = line.partition("=")
            if not sep:
                raise field_error("changes", f"changes: {line!r}: expected FIELD=VALUE")
            found[name.strip()] = value.strip()
    return found


@router.post("/drafts/new")
@body_limit("max_order_body_bytes")  # its subjects: thousands of serial numbers or cédulas
async def make_draft(
    request: Request,
    viewer: Drafter,
    kind: Annotated[str, Form(max_length=40)] = "",
    authority: Annotated[str, Form(max_length=40)] = "",
    number: Annotated[str, Form(max_length=100)] = "",
    signed_on: Annotated[str, Form(max_length=20)] = "",
    effective: Annotated[str, Form(max_length=20)] = "",
    grounds: Annotated[str, Form(max_length=2000)] = "",
    category: Annotated[str, Form(max_length=40)] = "",
    valid_from: Annotated[str, Form(max_length=20)] = "",
    valid_until: Annotated[str, Form(max_length=20)] = "",
    revokes: Annotated[str, Form(max_length=100)] = "",
    rules: Annotated[str, Form(max_length=200_000)] = "",
    changes: Annotated[str, Form(max_length=2000)] = "",
    subjects: Annotated[list[str] | None, Form()] = None,
    subjects_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Draft an order as `POST /api/v1/orders/drafts` does, after asking the registry what
    signing it would refuse; nothing is kept unless the registry would accept it."""
    form = {
        "kind": kind,
        "authority": authority,
        "number": number,
        "signed_on": signed_on,
        "effective": effective,
        "grounds": grounds,
        "category": category,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "revokes": revokes,
        "rules": rules,
        "changes": changes,
    }
    picked = [s.strip() for s in subjects or [] if s.strip()]
    engine = request.app.state.engine
    assert viewer.account is not None
    account = viewer.account

    async def file_refs() -> tuple[list[str], list[int], str]:
        if subjects_file is None or not subjects_file.filename:
            return [], [], "subjects"
        name = Path(subjects_file.filename).name[:200]
        data = await subjects_file.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise field_error("subjects", f"{name}: not UTF-8; save the file as UTF-8") from None
        found = subject_lines(text, name)
        return [r for _, r in found], [n for n, _ in found], name

    def draft(refs: list[str], lines: list[int], source: str) -> str:
        wanted = order_request(form, refs, lines, source)
        if account.role is Role.AUTHORITY and account.authority != wanted.authority:
            raise field_error("authority", f"{account.name} drafts only for {account.authority}")
        with bootstrap.reading(engine) as conn:
            origin, _public = registry_row(conn)
            made = drafts.draft_order(conn, origin, wanted)
        refusals_at_signing(engine, made)
        with engine.begin() as conn:
            return save_draft(conn, made, account.name)

    try:
        refs, lines, source = await file_refs()
        draft_id = await run_in_threadpool(draft, refs + picked, lines, source)
    except MusterError as err:
        values = {**form, "subjects": picked}
        return await run_in_threadpool(
            draft_page, request, viewer, 409 if isinstance(err, d.RefusedError) else 400,
            error=err, values=values,
        )  # fmt: skip
    return RedirectResponse(f"/drafts/new?made={draft_id}", status_code=303)
