"""The auditor's ledger pages: the ledger's status (its size, the newest signed checkpoint,
the registry's verifier key), a verification run now with its progress and result,
inclusion and consistency proofs to download, the newest entries, and the export.

Who sees what mirrors the API: the status, the entries and the proofs are what its ledger
routes give any account; verifying and exporting read (and the export gives away) the whole
registry, so they are for the roles that read the registry (docs/web/auditor.md)."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import aclosing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import Connection
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from muster import bootstrap
from muster.accounts.accounts import Role
from muster.domain.errors import InvalidInputError, NotFoundError, RefusedError
from muster.ledger import entries
from muster.registry import proofs, verify
from muster.registry.export import export_ledger
from muster.registry.findings import Difference, Problem
from muster.web import i18n, nav, render
from muster.web.archive import zip_chunks
from muster.web.i18n import N_
from muster.web.problems import Shown, shown
from muster.web.respond import respond
from muster.web.session import Viewer, page_for
from muster.web.verifying import Finished, Step, VerificationBusyError, verification

router = APIRouter(include_in_schema=False)
READERS = (Role.ADMIN, Role.CLERK, Role.AUTHORITY, Role.SUPERVISOR, Role.AUDITOR)
LedgerViewer = Annotated[Viewer, Depends(page_for(*Role))]  # as GET /ledger/… : any account
RecordsViewer = Annotated[Viewer, Depends(page_for(*READERS))]  # as the API's RecordsReader

nav.add("/ledger", N_("Ledger"), Role.AUDITOR)

STAGE_WORDS = {
    verify.ENTRIES: N_("Ledger entries: every hash recomputed"),
    verify.TREE: N_("Merkle tree and signed checkpoints"),
    verify.RECORDS: N_("Authorities, keys and orders"),
    verify.REBUILD: N_("The roll rebuilt from the signed orders"),
    verify.ROLL: N_("The stored roll and its periods compared"),
    verify.CROSSINGS: N_("Crossings sealed in the ledger"),
}
STAGE_LABELS = tuple(STAGE_WORDS[s] for s in verify.STAGES)  # a stage without words fails here
ENTRY_TYPES = {
    entries.REGISTRY_CREATED: N_("registry created"),
    entries.AUTHORITY_CREATED: N_("authority created"),
    entries.KEY_ADDED: N_("key added"),
    entries.KEY_REVOKED: N_("key revoked"),
    entries.ORDER: N_("order"),
    entries.CROSSING_BATCH: N_("crossing batch"),
}

# ---- a verification's problems, in the viewer's words ------------------------------------

# code (registry.findings.TEXTS) -> the problem in words, filled from its parameters. A code
# with no words here is shown in the registry's English (`str()` of the problem).
VERIFY_WORDS = {
    "key_not_given": N_(
        "%(where)s: the registry key %(name)s %(fingerprint)s is not the key given "
        "(%(given_name)s %(given_fingerprint)s)."
    ),
    "key_not_pinned": N_(
        "%(where)s: the registry key's fingerprint is %(fingerprint)s, not the one pinned "
        "(%(pinned)s)."
    ),
    "entry_altered": N_(
        "Ledger entry %(entry)s was altered: its data does not match its stored leaf hash."
    ),
    "entry_unreadable": N_("Ledger entry %(entry)s is not a readable Muster entry."),
    "entry_type_differs": N_(
        "Ledger entry %(entry)s: its stored type is %(stored)s, but the entry says %(found)s."
    ),
    "entry_zero_not_registry": N_(
        "Ledger entry %(entry)s is not the entry that creates the registry."
    ),
    "entry_incomplete": N_(
        "Ledger entry %(entry)s (%(kind)s) cannot be read: it lacks what its type holds "
        "(%(error)s)."
    ),
    "registry_differs": N_(
        "The registry table's origin or public key differs from ledger entry 0."
    ),
    "key_fingerprint_differs": N_(
        "Ledger entry %(entry)s: the key's fingerprint does not match its public key."
    ),
    "crossing_table_altered": N_(
        "Ledger entry %(entry)s (crossing batch): its table of crossings is missing or altered."
    ),
    "order_foreign_key": N_(
        "Order %(order)s (ledger entry %(entry)s) is signed with key %(key)s, which is not "
        "a key of %(authority)s."
    ),
    "order_key_revoked": N_(
        "Order %(order)s (ledger entry %(entry)s): key %(key)s was revoked before the "
        "order was recorded."
    ),
    "order_signature": N_(
        "Order %(order)s (ledger entry %(entry)s): its signature does not verify."
    ),
    "order_authority_unknown": N_(
        "Order %(order)s (ledger entry %(entry)s): authority %(authority)s is not in the "
        "ledger before it."
    ),
    "order_number_twice": N_("Order %(order)s (ledger entry %(entry)s): its number is used twice."),
    "order_other_registry": N_(
        "Order %(order)s (ledger entry %(entry)s) was drafted for another registry (%(registry)s)."
    ),
    "order_subjects_altered": N_(
        "Order %(order)s (ledger entry %(entry)s): its list of subjects is missing or altered."
    ),
    "order_revokes_unknown": N_(
        "Order %(order)s (ledger entry %(entry)s) revokes order %(revokes)s, which is not "
        "in the ledger before it."
    ),
    "order_names_unknown": N_(
        "Order %(order)s (ledger entry %(entry)s) names person %(person)s, whom no "
        "enlistment accounts for."
    ),
    "order_out_of_scope": N_(
        "Order %(order)s (ledger entry %(entry)s) is outside its authority's scope (%(error)s)."
    ),
    "enlistment_columns": N_(
        "Order %(order)s: its table's columns are not those of an enlistment (%(columns)s)."
    ),
    "person_unfoldable": N_(
        "Person %(person)s: their orders cannot be applied in turn (%(error)s)."
    ),
    "merkle_node_differs": N_(
        "Merkle tree node at level %(level)s, index %(index)s, does not match the entries."
    ),
    "merkle_node_count": N_(
        "Merkle tree: %(stored)s nodes stored, %(expected)s expected for %(size)s entries."
    ),
    "checkpoint_unverified": N_(
        "The checkpoint at size %(size)s does not verify: its signature or its form (%(error)s)."
    ),
    "checkpoint_row_differs": N_(
        "The checkpoint at size %(size)s: its signed note disagrees with its stored row."
    ),
    "checkpoint_root_differs": N_(
        "The checkpoint at size %(size)s: its root hash does not match the ledger's entries."
    ),
    "checkpoint_behind": N_(
        "The latest checkpoint covers %(covered)s entries; the ledger holds %(size)s."
    ),
    "authority_unaccounted": N_(
        "Authority %(key)s is stored, but no ledger entry accounts for it."
    ),
    "authority_differs": N_(
        "Authority %(key)s: %(field)s stored %(stored)s, the ledger says %(expected)s."
    ),
    "authority_missing": N_("Authority %(key)s is missing from its table."),
    "authority_key_unaccounted": N_(
        "Authority key %(key)s is stored, but no ledger entry accounts for it."
    ),
    "authority_key_differs": N_(
        "Authority key %(key)s: %(field)s stored %(stored)s, the ledger says %(expected)s."
    ),
    "authority_key_missing": N_("Authority key %(key)s is missing from its table."),
    "order_unaccounted": N_("Order %(key)s is stored, but no ledger entry accounts for it."),
    "order_differs": N_(
        "Order %(key)s: %(field)s stored %(stored)s, the ledger says %(expected)s."
    ),
    "order_missing": N_("Order %(key)s is missing from its table."),
    "order_details_differ": N_("Order %(order)s: the details stored differ from the signed order."),
    "roll_person_unaccounted": N_(
        "Person %(person)s is on the stored roll, but no enlistment accounts for them."
    ),
    "roll_person_differs": N_("Person %(person)s (%(who)s) on the roll: %(differences)s."),
    "roll_count": N_("The roll: %(stored)s rows stored, the ledger accounts for %(expected)s."),
    "order_subjects_differ": N_(
        "%(count)s row(s) of the orders' subjects differ from the signed lists of subjects."
    ),
    "former_serials_differ": N_(
        "The former serial numbers stored differ from those struck off in the ledger."
    ),
    "period_unaccounted": N_(
        "The period of person %(person)s from %(start)s is stored, but no order opens it."
    ),
    "period_differs": N_("The period of person %(person)s from %(start)s: %(differences)s."),
    "period_missing": N_(
        "The period of person %(person)s from %(start)s is missing from its table."
    ),
    "crossing_unsealed": N_(
        "Crossing %(crossing)s is marked sealed in entry %(entry)s, but no batch entry holds it."
    ),
    "crossing_differs": N_(
        "Crossing %(crossing)s: its stored record differs from ledger entry %(entry)s."
    ),
    "crossing_missing": N_("Crossing %(crossing)s is in the ledger but missing from its table."),
    "more_problems": N_("… and more problems, not listed."),
}
DIFFERENCE = N_("%(field)s stored %(stored)s, the ledger says %(expected)s")
PLACE_WORDS = {"table registry": N_("The registry table")}  # where a key was read
COUNTED = frozenset(
    {"merkle_node_count", "roll_count", "order_subjects_differ", "checkpoint_behind"}
)
VALUES = ("stored", "expected", "found")  # shown as the registry shows them (Python's repr)


@dataclass(frozen=True)
class VerifyProblem:
    """A problem of a verification as the page lists it: its code, its words in the viewer's
    language, and the registry's English (what `muster verify` prints), "" when the words
    are that English already."""

    code: str
    text: str
    detail: str = ""


def verify_problem(viewer: Viewer, found: Problem | str) -> VerifyProblem:
    """A problem in the viewer's words, chosen by its code and filled from its parameters."""
    message = VERIFY_WORDS.get(found.code) if isinstance(found, Problem) else None
    if not isinstance(found, Problem) or message is None:  # no words for it: its English
        return VerifyProblem(getattr(found, "code", ""), str(found))
    numbers = i18n.Formats(viewer.language).number
    t = viewer.gettext
    filled: dict[str, Any] = {}
    for name, value in found.params.items():
        if isinstance(value, tuple) and all(isinstance(d, Difference) for d in value):
            filled[name] = "; ".join(
                t(DIFFERENCE, field=d.field, stored=repr(d.stored), expected=repr(d.expected))
                for d in value
            )
        elif found.code in COUNTED and isinstance(value, int):
            filled[name] = numbers(value)
        elif name in VALUES:
            filled[name] = repr(value)
        elif name == "kind":
            filled[name] = t(ENTRY_TYPES[value]) if value in ENTRY_TYPES else str(value)
        elif name == "where":
            filled[name] = t(PLACE_WORDS[value]) if value in PLACE_WORDS else str(value)
        else:
            filled[name] = value
    if found.code == "enlistment_columns":
        filled["columns"] = ", ".join(found.params["columns"])
    return VerifyProblem(found.code, t(message, **filled), str(found))


NDJSON = "application/x-ndjson"
DOWNLOAD_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
T = TypeVar("T")


async def read(request: Request, use: Callable[..., T], *args: Any) -> T:
    """A use case run on a reading connection, off the event loop."""
    engine = request.app.state.engine

    def run() -> T:
        with bootstrap.reading(engine) as conn:
            return use(conn, *args)

    return await run_in_threadpool(run)


def download(body: str | bytes, filename: str, media_type: str) -> Response:
    headers = {**DOWNLOAD_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=media_type, headers=headers)


def safe_name(text: str) -> str:
    """A piece of a file name: letters, digits, dots and dashes only."""
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-.") or "ledger"


# ---- the status page, and verifying now --------------------------------------------------


def ledger_status(conn: Connection) -> dict[str, Any]:
    return {**proofs.latest_checkpoint(conn), **proofs.registry_key(conn)}


async def ledger_page(
    request: Request, viewer: Viewer, status: int = 200, **context: Any
) -> Response:
    found = await read(request, ledger_status)
    return respond(
        request,
        viewer,
        "auditor/ledger.html",
        status=status,
        ledger=found,
        may_verify=viewer.account is not None and viewer.account.role in READERS,
        stages=STAGE_LABELS,
        section="status",
        **{"result": None, "problem": None, "problems": [], **context},
    )


@router.get("/ledger")
async def ledger(request: Request, viewer: LedgerViewer) -> Response:
    return await ledger_page(request, viewer)


@router.get("/ledger/checkpoint")
async def checkpoint_file(request: Request, viewer: LedgerViewer) -> Response:
    """The newest signed checkpoint, as `muster ledger checkpoint` prints it (what `muster
    verify --proof … --checkpoint FILE` takes)."""
    found = await read(request, proofs.latest_checkpoint)
    text = found["checkpoint"] or ""
    return download(text, f"checkpoint-{found['tree_size']}", "text/plain; charset=utf-8")


@router.get("/ledger/registry.vkey")
async def registry_key_file(request: Request, viewer: LedgerViewer) -> Response:
    """The registry's verifier key, as `muster ledger key` prints it (`verify --key FILE`)."""
    found = await read(request, proofs.registry_key)
    return download(found["verifier_key"] + "\n", "registry.vkey", "text/plain; charset=utf-8")


def fragment(viewer: Viewer, template: str, **context: Any) -> str:
    """Part of a page, rendered for `viewer` (sent inside a stream, not as a page)."""
    env = render.environment(viewer.language, viewer.zone)
    return env.get_template(template).render(viewer=viewer, **context)


def busy(viewer: Viewer) -> Shown:
    return Shown(
        "VerificationBusyError",
        viewer.gettext(
            N_(
                "A verification is running on this server already: wait for its end, then "
                "ask again."
            )
        ),
    )


def outcome(viewer: Viewer, finished: Finished) -> dict[str, Any]:
    """What the result of a verification shows: its problems in the viewer's words."""
    found = finished.report.problems if finished.report is not None else []
    return {
        "result": finished,
        "problem": shown(viewer, finished.error) if finished.error is not None else None,
        "problems": [verify_problem(viewer, p) for p in found],
    }


def step_line(viewer: Viewer, step: Step) -> dict[str, Any]:
    formats = i18n.Formats(viewer.language)
    count = (
        viewer.gettext(
            N_("%(done)s of %(total)s"),
            done=formats.number(step.done),
            total=formats.number(step.total),
        )
        if step.total
        else ""
    )
    label = viewer.gettext(STAGE_LABELS[step.stage])
    return {"stage": step.stage, "percent": step.percent, "label": label, "count": count}


async def verify_lines(viewer: Viewer, request: Request) -> AsyncIterator[bytes]:
    """The verification's steps and its result, one JSON object a line, as they come."""

    def line(obj: dict[str, Any]) -> bytes:
        return json.dumps(obj, ensure_ascii=False).encode() + b"\n"

    try:
        async with aclosing(verification(request.app.state.engine)) as events:
            async for event in events:
                if isinstance(event, Step):
                    yield line(step_line(viewer, event))
                else:
                    html = fragment(viewer, "auditor/_verify_result.html", **outcome(viewer, event))
                    yield line({"percent": 100, "html": html, "complete": event.error is None})
    except VerificationBusyError:
        html = fragment(viewer, "auditor/_verify_result.html", result=None, problem=busy(viewer))
        yield line({"percent": 0, "html": html, "complete": False})


@router.post("/ledger/verify")
async def verify_now(request: Request, viewer: RecordsViewer) -> Response:
    """Verify the registry now: followed step by step by the page's script (a stream of JSON
    lines), or, without script, answered with the page and the result at the end."""
    if NDJSON in request.headers.get("accept", ""):
        headers = {**DOWNLOAD_HEADERS, "X-Accel-Buffering": "no"}  # no proxy holds it back
        return StreamingResponse(verify_lines(viewer, request), media_type=NDJSON, headers=headers)
    finished = None
    try:
        async with aclosing(verification(request.app.state.engine)) as events:
            async for event in events:
                if isinstance(event, Finished):
                    finished = event
    except VerificationBusyError:
        return await ledger_page(request, viewer, status=409, problem=busy(viewer))
    assert finished is not None  # a verification ends with its Finished
    return await ledger_page(request, viewer, **outcome(viewer, finished))


# ---- the export -------------------------------------------------------------------------


@router.get("/ledger/export.zip")
async def export_zip(request: Request, viewer: RecordsViewer) -> Response:
    """The ledger export (what `muster ledger export DIR` writes), as a zip made while it is
    sent: unpacked, `muster verify --from DIR` checks it."""
    workdir = Path(tempfile.mkdtemp(prefix="muster-export-"))
    out = workdir / "ledger"
    try:
        info = await read(request, export_ledger, out)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    top = f"{safe_name(str(info['origin']))}-ledger-{info['tree_size']}"

    def chunks() -> Iterator[bytes]:
        try:
            yield from zip_chunks(out, top)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    headers = {**DOWNLOAD_HEADERS, "Content-Disposition": f'attachment; filename="{top}.zip"'}
    return StreamingResponse(
        chunks(),
        media_type="application/zip",
        headers=headers,
        background=BackgroundTask(shutil.rmtree, workdir, ignore_errors=True),
    )


# ---- the newest entries -----------------------------------------------------------------


@router.get("/ledger/entries")
async def ledger_entries(request: Request, viewer: LedgerViewer, before: str = "") -> Response:
    below = whole(before)
    rows = await read(request, proofs.newest_entries, below)
    older = rows[-1]["entry"] if rows and rows[-1]["entry"] > 0 else None
    return respond(
        request,
        viewer,
        "auditor/entries.html",
        rows=rows,
        older=older,
        newest=below is None,
        types=ENTRY_TYPES,
        section="entries",
    )


# ---- proofs -----------------------------------------------------------------------------


@dataclass
class Asked:
    """A proof asked for in a form: what to prove, or what is wrong with the form (by field:
    a message id and what fills it)."""

    target: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)


INCLUSION_FIELDS = ("order", "entry", "crossing")


def whole(text: str) -> int | None:
    """A whole number as people write it (1.234 or 1,234), or None."""
    text = text.strip().replace(".", "").replace(",", "")
    return int(text) if text.isascii() and text.isdigit() else None


def inclusion_asked(order: str, entry: str, crossing: str, size: int) -> Asked:
    """The entry to prove: an order's (by number), a ledger position, or a crossing's batch;
    exactly one of them, and a position within the ledger."""
    given = {
        k: v.strip()
        for k, v in zip(INCLUSION_FIELDS, (order, entry, crossing), strict=True)
        if v.strip()
    }
    if len(given) != 1:
        message = (
            N_("Fill in one of these: an order number, a ledger entry or a crossing number.")
            if not given
            else N_(
                "Fill in only one of these: an order number, a ledger entry or a crossing number."
            )
        )
        return Asked(errors={next(iter(given), "order"): (message, {})})
    ((name, value),) = given.items()
    if name == "entry":
        position = whole(value)
        if position is None or position >= size:
            return Asked(
                errors={
                    "entry": (
                        N_("A ledger entry is a whole number from 0 to %(last)s."),
                        {"last": size - 1},
                    )
                }
            )
        return Asked(target={"entry": position})
    return Asked(target={name: value})


def consistency_asked(old_size: str, new_size: str, size: int) -> Asked:
    """Two tree sizes, 1 ≤ old ≤ new ≤ the ledger's size (the newer one, by default, the
    ledger's size now)."""
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    old = whole(old_size)
    new = whole(new_size) if new_size.strip() else size
    wrong = N_("A tree size is a whole number from 1 to %(size)s.")
    if old is None or not 1 <= old <= size:
        errors["old_size"] = (wrong, {"size": size})
    if new is None or not 1 <= new <= size:
        errors["new_size"] = (wrong, {"size": size})
    if not errors and old is not None and new is not None and old > new:
        errors["old_size"] = (
            N_("The older size must not be over the newer one (%(new)s)."),
            {"new": new},
        )
    if errors:
        return Asked(errors=errors)
    return Asked(target={"old_size": old, "new_size": new})


def inclusion_of(conn: Connection, target: dict[str, Any]) -> dict[str, Any]:
    if "crossing" in target:
        return proofs.inclusion_proof(conn, proofs.crossing_entry(conn, target["crossing"]))
    return proofs.inclusion_proof(conn, target.get("entry"), target.get("order"))


def consistency_of(conn: Connection, target: dict[str, Any]) -> dict[str, Any]:
    return proofs.consistency_proof(conn, target["old_size"], target["new_size"])


def refused(viewer: Viewer, err: Exception, target: dict[str, Any]) -> tuple[str, str]:
    """The field a refused proof is about, and the refusal in the viewer's words."""
    if isinstance(err, proofs.CrossingNotSealedError):
        message = N_(
            "Crossing %(number)s is not in the ledger yet: crossings are sealed in batches "
            "every few seconds. Try again in a moment."
        )
        return "crossing", viewer.gettext(message, number=err.crossing)
    if isinstance(err, NotFoundError) and "crossing" in target:
        message = N_("No crossing numbered “%(number)s” in this registry.")
        return "crossing", viewer.gettext(message, number=target["crossing"])
    if isinstance(err, NotFoundError) and "order" in target:
        message = N_("No order numbered “%(number)s” is recorded in this registry.")
        return "order", viewer.gettext(message, number=target["order"])
    return next(iter(target), "order"), shown(viewer, err).headline


@dataclass
class ProofForm:
    """What the proofs page shows: the forms' values, their errors, and the proof made."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    inclusion: dict[str, Any] | None = None
    consistency: dict[str, Any] | None = None
    target: dict[str, Any] = field(default_factory=dict)  # what the proof made proves

    @property
    def query(self) -> str:
        """The download's query: what was asked."""
        return urlencode(self.target)


async def prove(request: Request, viewer: Viewer, values: dict[str, str]) -> ProofForm:
    """The proof the form asks for, or the form's errors in the viewer's words."""
    form = ProofForm(values)
    kind = values.get("proof", "")
    if kind not in ("inclusion", "consistency"):
        return form
    size = (await read(request, proofs.latest_checkpoint))["tree_size"]
    if kind == "inclusion":
        asked = inclusion_asked(values["order"], values["entry"], values["crossing"], size)
        make: Callable[[Connection, dict[str, Any]], dict[str, Any]] = inclusion_of
    else:
        asked = consistency_asked(values["old_size"], values["new_size"], size)
        make = consistency_of
    form.errors = {f: viewer.gettext(m, **p) for f, (m, p) in asked.errors.items()}
    if form.errors:
        return form
    try:
        made = await read(request, make, asked.target)
    except (NotFoundError, RefusedError, InvalidInputError) as err:
        where, message = refused(viewer, err, asked.target)
        form.errors = {where: message}
        return form
    setattr(form, kind, made)
    form.target = asked.target
    return form


def form_values(request: Request) -> dict[str, str]:
    names = ("proof", *INCLUSION_FIELDS, "old_size", "new_size")
    return {n: request.query_params.get(n, "")[:200] for n in names}


async def proofs_page(request: Request, viewer: Viewer, form: ProofForm) -> Response:
    size = (await read(request, proofs.latest_checkpoint))["tree_size"]
    return respond(
        request,
        viewer,
        "auditor/proofs.html",
        status=400 if form.errors else 200,
        form=form,
        size=size,
        section="proofs",
    )


@router.get("/ledger/proofs")
async def proofs_view(request: Request, viewer: LedgerViewer) -> Response:
    form = await prove(request, viewer, form_values(request))
    return await proofs_page(request, viewer, form)


def proof_name(kind: str, target: dict[str, Any]) -> str:
    if kind == "consistency":
        return f"consistency-{target['old_size']}-{target['new_size']}.json"
    ((name, value),) = target.items()
    return f"proof-{name}-{safe_name(str(value))}.json"


async def proof_download(request: Request, viewer: Viewer, kind: str) -> Response:
    form = await prove(request, viewer, {**form_values(request), "proof": kind})
    made = form.inclusion if kind == "inclusion" else form.consistency
    if made is None:  # the form was wrong: the page says why
        return await proofs_page(request, viewer, form)
    body = json.dumps(made, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return download(body, proof_name(kind, form.target), "application/json")


@router.get("/ledger/proofs/inclusion.json")
async def inclusion_download(request: Request, viewer: LedgerViewer) -> Response:
    """An inclusion proof, the same document as `muster ledger proof --order/--entry` and GET
    /api/v1/ledger/proofs/inclusion (what `muster verify --proof` checks)."""
    return await proof_download(request, viewer, "inclusion")


@router.get("/ledger/proofs/consistency.json")
async def consistency_download(request: Request, viewer: LedgerViewer) -> Response:
    """A consistency proof between two tree sizes, as `muster ledger proof
    --consistency-from` and GET /api/v1/ledger/proofs/consistency give it."""
    return await proof_download(request, viewer, "consistency")
