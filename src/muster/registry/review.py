"""Reviewing a draft before it is signed: the drafts awaiting a signature, and what a draft
would change and what the registry would refuse if it were signed now, found by the rules
recording applies (`registry.recording`), without writing anything."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from muster.domain.errors import NotFoundError, RefusedError, SignatureError
from muster.domain.kinds import Category, OrderKind, Status
from muster.domain.orders import OrderContent, check_order_dates
from muster.domain.roll import OrderFacts, PersonState, periods
from muster.environment import today
from muster.errors import MusterError
from muster.ledger import signing
from muster.ledger.canonical import parse_table, sha256_hex
from muster.reference_data import load_reference
from muster.registry.authorities import require_authority
from muster.registry.drafts import Draft, find_order
from muster.registry.opening import registry_row
from muster.registry.recording import (
    check_number_free,
    check_scope,
    facts_of,
    load_person_files,
    revoked_map,
    revoker_map,
)
from muster.registry.signing_flow import load_draft
from muster.store import ledger_store
from muster.store.tables import authority_keys, drafts, order_subjects, orders

TALLIED = ("component", "rank", "status", "category")  # what a review counts, before and after


@dataclass(frozen=True, kw_only=True)
class DraftFate:
    """What became of a draft: recorded at `recorded_seq`, or closed unsigned (`closed_as`
    withdrawn or declined, by whom, when and why), or neither yet (awaiting its signature)."""

    recorded_seq: int | None = None
    closed_as: str | None = None
    closed_by: str | None = None
    closed_at: str | None = None
    closed_note: str | None = None

    @property
    def state(self) -> str:
        return draft_state(self.recorded_seq, self.closed_as)

    @staticmethod
    def of(row: Any) -> dict[str, Any]:
        """The fate's fields from a row of `drafts`."""
        seq = None if row.recorded_seq is None else int(row.recorded_seq)
        return {
            "recorded_seq": seq,
            "closed_as": row.closed_as,
            "closed_by": row.closed_by,
            "closed_at": row.closed_at,
            "closed_note": row.closed_note,
        }


@dataclass(frozen=True)
class PendingDraft(DraftFate):
    """A draft as a list shows it: awaiting its authority's signature or, in a drafter's own
    list, whatever became of it."""

    draft_id: str
    content: OrderContent
    created_by: str
    created_at: str


AWAITING, RECORDED = "awaiting-signature", "recorded"  # and signing_flow's WITHDRAWN, DECLINED


def draft_state(recorded_seq: int | None, closed_as: str | None) -> str:
    """A draft's state: awaiting-signature, recorded, withdrawn or declined."""
    if recorded_seq is not None:
        return RECORDED
    return closed_as or AWAITING


def pending_drafts(
    conn: Connection, authority: str | None = None, limit: int = 200
) -> tuple[list[PendingDraft], int]:
    """The drafts awaiting a signature (neither signed nor closed), newest first (one
    authority's, or everyone's), and how many there are in all."""
    query = select(drafts).where(drafts.c.recorded_seq.is_(None), drafts.c.closed_as.is_(None))
    if authority is not None:
        query = query.where(drafts.c.authority_code == authority)
    return _listed(conn, query, limit)


def drafts_by(
    conn: Connection, created_by: str, limit: int = 200
) -> tuple[list[PendingDraft], int]:
    """The drafts an account made, in every state, newest first, and how many in all."""
    return _listed(conn, select(drafts).where(drafts.c.created_by == created_by), limit)


def listed_draft(conn: Connection, draft_id: str) -> PendingDraft:
    """One kept draft as the lists show it, in any state; NotFoundError when there is none."""
    found, _total = _listed(conn, select(drafts).where(drafts.c.id == draft_id), 1)
    if not found:
        raise NotFoundError(f"no draft {draft_id!r}")
    return found[0]


def _listed(conn: Connection, query: Any, limit: int) -> tuple[list[PendingDraft], int]:
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(query.order_by(drafts.c.created_at.desc(), drafts.c.id).limit(limit))
    found = [
        PendingDraft(
            r.id,
            OrderContent.from_json(orjson.loads(bytes(r.order_bytes))),
            r.created_by,
            r.created_at,
            **DraftFate.of(r),
        )
        for r in rows
    ]
    return found, int(total)


@dataclass(frozen=True)
class DraftRecord(DraftFate):
    """A draft as kept: who made it and when, and what became of it."""

    draft_id: str
    authority: str
    number: str
    created_by: str
    created_at: str


def find_draft(conn: Connection, draft_id: str) -> DraftRecord:
    """A kept draft, in any state; NotFoundError when there is none with this id."""
    row = conn.execute(
        select(
            drafts.c.id,
            drafts.c.authority_code,
            drafts.c.number,
            drafts.c.created_by,
            drafts.c.created_at,
            drafts.c.recorded_seq,
            drafts.c.closed_as,
            drafts.c.closed_by,
            drafts.c.closed_at,
            drafts.c.closed_note,
        ).where(drafts.c.id == draft_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no draft {draft_id!r}")
    return DraftRecord(
        row.id, row.authority_code, row.number, row.created_by, row.created_at, **DraftFate.of(row)
    )


@dataclass(frozen=True)
class SubjectChange:
    """One subject of a draft: their state on the roll now and after the order (None: new
    to the roll, for an enlistment), or the registry's refusal."""

    ref: str
    before: PersonState | None
    after: PersonState | None
    refusal: RefusedError | None = None


@dataclass(frozen=True)
class TallyRow:
    """How many subjects hold a value (a component, a rank, a status) before and after."""

    value: Any
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class Review:
    """What signing a draft now would do: the problems that would refuse the whole order,
    the subjects the rules would refuse, and the counts by component, rank, status and
    category before and after (refused subjects counted as they are)."""

    draft_id: str
    draft: Draft
    problems: list[MusterError]
    refused: list[SubjectChange]
    tallies: dict[str, list[TallyRow]]
    subject_count: int
    active_keys: tuple[str, ...] = field(default_factory=tuple)

    @property
    def would_record(self) -> bool:
        return not self.problems and not self.refused


def review_draft(conn: Connection, draft_id: str) -> Review:
    """The review of a kept draft (NotFoundError, or RefusedError once it is recorded)."""
    return review(conn, draft_id, load_draft(conn, draft_id))


def review(conn: Connection, draft_id: str, draft: Draft) -> Review:
    """What recording `draft` now would do, checked as `record_order` checks it (but the
    signature, which it does not have yet), every problem found rather than the first."""
    content = draft.content
    problems, keys = order_problems(conn, draft)
    changes: list[SubjectChange] = []
    try:
        changes = subject_changes(conn, draft)
    except MusterError as err:  # a revocation whose target is not there, or not revocable
        problems.append(err)
    refused = [c for c in changes if c.refusal is not None]
    return Review(
        draft_id,
        draft,
        problems,
        refused,
        tallies(changes),
        content.subjects.count if content.subjects else len(changes),
        keys,
    )


def order_problems(conn: Connection, draft: Draft) -> tuple[list[MusterError], tuple[str, ...]]:
    """Everything `record_order` would refuse the order itself for (its subjects aside),
    and the fingerprints of the keys that may sign it."""
    content = draft.content
    found: list[MusterError] = []

    def check(step: Callable[[], object]) -> None:
        try:
            step()
        except MusterError as err:
            found.append(err)

    check(lambda: check_order_dates(content.number, content.signed_on, content.effective, today()))
    check(lambda: check_number_free(conn, content.number))
    keys: tuple[str, ...] = ()
    try:
        auth = require_authority(conn, content.authority)
    except NotFoundError as err:
        found.append(err)
    else:
        keys = tuple(fp for fp, active in auth.keys if active)
        if not keys:
            found.append(
                SignatureError(
                    f"authority {content.authority} has no active key to sign "
                    f"order {content.number}: add one with `muster authority key add`"
                )
            )
        check(lambda: check_scope(conn, auth, content, draft))
    origin, _public = registry_row(conn)
    if content.registry != origin:
        found.append(
            RefusedError(
                f"order {content.number} was drafted for registry "
                f"{content.registry!r}, not this one ({origin!r})"
            )
        )
    table, digest = draft.table_bytes, content.subjects
    if table is not None and digest is not None and sha256_hex(table) != digest.sha256:
        found.append(
            SignatureError(
                f"order {content.number}: subject list does not match the digest "
                "that would be signed"
            )
        )
    return found, keys


def subject_changes(
    conn: Connection, draft: Draft, start: int = 0, stop: int | None = None
) -> list[SubjectChange]:
    """The subjects `start` to `stop` (all by default) of a draft, each with their state now
    and after the order, or the rules' refusal: the fold `record_order` makes (through
    `recording.apply_to_subjects`), made here without storing anything."""
    content = draft.content
    if draft.enlist_rows is not None:
        return [enlisted(row) for row in draft.enlist_rows[start:stop]]
    if content.kind is OrderKind.REVOCATION:
        return revocation_changes(conn, content, start, stop)
    if not draft.subjects:
        return []
    order = facts_of(ledger_store.tree_size(conn), content)  # the position it would take
    return fold_subjects(conn, list(draft.subjects[start:stop]), order)


def subject_total(conn: Connection, draft: Draft) -> int:
    """How many people a draft names: its subjects, an enlistment's rows, or the subjects of
    the order a revocation revokes."""
    content = draft.content
    if content.kind is OrderKind.REVOCATION and content.revokes is not None:
        target = find_order(conn, content.revokes)
        return int(
            conn.execute(
                select(func.count())
                .select_from(order_subjects)
                .where(order_subjects.c.order_seq == target.seq)
            ).scalar_one()
        )
    return content.subjects.count if content.subjects else 0


def revocation_changes(
    conn: Connection, content: OrderContent, start: int, stop: int | None
) -> list[SubjectChange]:
    """A revocation's effect on the subjects of the order it revokes (`recording.revoke`;
    whether that order may be revoked at all is the scope's check, `order_problems`)."""
    assert content.revokes is not None
    target = find_order(conn, content.revokes)
    subjects = [
        (int(r.person_id), str(r.ref))
        for r in conn.execute(
            select(order_subjects.c.person_id, order_subjects.c.ref)
            .where(order_subjects.c.order_seq == target.seq)
            .order_by(order_subjects.c.person_id)
        )
    ][start:stop]
    after = revoked_map(conn)
    after[target.number] = content.effective
    revoker = (target.number, ledger_store.tree_size(conn))
    return fold_subjects(conn, subjects, None, after, revoker)


def fold_subjects(
    conn: Connection,
    subjects: Sequence[tuple[int, str]],
    order: OrderFacts | None,
    revoked_after: dict[str, date] | None = None,
    revoker: tuple[str, int] | None = None,
) -> list[SubjectChange]:
    """Each subject's whole timeline folded with the new order (or revocation), as
    `recording.apply_to_subjects` folds it when it cannot simply extend the last period:
    the same result, or the same refusal, for every subject."""
    files = load_person_files(conn, [pid for pid, _ in subjects])
    revoked_before = revoked_map(conn)
    revoked_now = revoked_after if revoked_after is not None else revoked_before
    revokers = revoker_map(conn)
    if revoker is not None:
        revokers[revoker[0]] = revoker[1]
    found = []
    for pid, ref in subjects:
        f = files[pid]
        try:
            start = f.enlisted(revoked_before)
            timeline = f.orders + ([order] if order is not None else [])
            spans = periods(start, f.enlistment, timeline, revoked_now, revokers)
        except RefusedError as err:
            found.append(SubjectChange(ref, f.state, None, err))
            continue
        found.append(SubjectChange(ref, f.state, spans[-1].state))
    return found


def enlisted(row: Sequence[str]) -> SubjectChange:
    """A roll row of an enlistment as the person it puts on the roll (active, as enlisted)."""
    serial, nid, given, surnames, birth, sex, component, rank, category, unit = row
    state = PersonState(
        person_id=0,
        serial_number=serial,
        national_id=nid,
        given_names=given,
        surnames=surnames,
        birth_date=date.fromisoformat(birth),
        sex=sex,
        component=component,
        rank=rank,
        category=Category(category),
        unit=unit,
        status=Status.ACTIVE,
    )
    return SubjectChange(serial, None, state)


def tallies(changes: Sequence[SubjectChange]) -> dict[str, list[TallyRow]]:
    """Counts of the subjects by component, rank (with its component), status and category,
    before and after; a refused subject counts as they are, a new one only after."""
    out: dict[str, list[TallyRow]] = {}
    for name in TALLIED:
        before: Counter[Any] = Counter()
        after: Counter[Any] = Counter()
        for c in changes:
            if c.before is not None:
                before[value_of(c.before, name)] += 1
            then = c.after if c.after is not None else c.before
            if then is not None:
                after[value_of(then, name)] += 1
        values = sorted(before.keys() | after.keys(), key=lambda v: sort_key(name, v))
        out[name] = [TallyRow(v, before[v], after[v]) for v in values]
    return out


def value_of(state: PersonState, name: str) -> Any:
    if name == "rank":
        return (state.component, state.rank)  # ranks differ by component
    if name == "status":
        return state.status.value
    if name == "category":
        return state.category.value
    return state.component


STATUS_ORDER = tuple(s.value for s in Status)
CATEGORY_ORDER = tuple(c.value for c in Category)


def sort_key(name: str, value: Any) -> tuple[Any, ...]:
    if name == "status":
        return (STATUS_ORDER.index(value),)
    if name == "category":
        return (CATEGORY_ORDER.index(value),)
    if name == "rank":
        component, rank = value
        found = load_reference().ranks.get((component, rank or ""))
        return (component, rank is None, -(found.grade_order if found else 0), rank or "")
    return (value,)


def draft_refs(conn: Connection, draft_id: str, limit: int) -> list[str]:
    """The first `limit` subjects of a kept draft, as they were named (signed or not): its
    resolved subjects (JSON pairs of person id and reference), or an enlistment's rows kept
    as their canonical table (their serial numbers)."""
    text = conn.execute(select(drafts.c.subjects).where(drafts.c.id == draft_id)).scalar()
    if not text:
        return []
    if not text.startswith("["):
        _columns, rows = parse_table(text.encode())
        return [str(row[0]) for row in rows[:limit]]
    return [str(ref) for _pid, ref in json.loads(text)[:limit]]


SIGNATURE_FAULTS = ("unknown_key", "other_authority", "revoked_key", "bad_signature")


def signature_fault(
    conn: Connection, content: OrderContent, order_bytes: bytes, signature: bytes, fingerprint: str
) -> tuple[str, str | None] | None:
    """Why `recording.check_signature` would refuse a signature, as one of
    SIGNATURE_FAULTS (with the authority the key belongs to, for `other_authority`), or None
    when it would accept it: what a page says in words before it records."""
    key = conn.execute(
        select(authority_keys).where(authority_keys.c.fingerprint == fingerprint)
    ).first()
    if key is None:
        return "unknown_key", None
    if key.authority_code != content.authority:
        return "other_authority", str(key.authority_code)
    if key.revoked_seq is not None:
        return "revoked_key", None
    if not signing.verify(bytes(key.public_key), signature, order_bytes):
        return "bad_signature", None
    return None


def recorded_order(conn: Connection, seq: int) -> dict[str, Any]:
    """The order a draft became: its number, kind and subject count at ledger entry `seq`."""
    row = conn.execute(select(orders).where(orders.c.seq == seq)).first()
    if row is None:
        raise NotFoundError(f"no order at ledger entry {seq}")
    return {
        "number": row.number,
        "kind": row.kind,
        "subjects": int(row.subject_count),
        "ledger_entry": int(row.seq),
        "authority": row.authority_code,
    }
