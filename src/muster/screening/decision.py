"""Screening a traveler at a border post: document → identity → policy → crossing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.engine import Connection

from muster.accounts.accounts import Account
from muster.documents.findings import Finding, document_findings
from muster.documents.mrz import MrzError, Zone, ZoneProblem, parse_mrz
from muster.domain import exit_policy as policy
from muster.domain.errors import InvalidInputError
from muster.environment import today
from muster.errors import MusterError
from muster.matching import Traveler
from muster.matching.normalize import typed_birth_date
from muster.reference_data.country_codes import icao_country_codes
from muster.screening.crossings import CrossingRecord
from muster.screening.identify import Identification, OrderWatch, last_order_seq
from muster.screening.policy_inputs import (
    AuthorizationRecord,
    DirectiveCache,
    PersonCache,
    PersonFacts,
    load_authorizations,
    load_directives,
    load_person,
)
from muster.store.tables import posts
from muster.timestamps import timestamp


@dataclass
class ScreeningCaches:
    """What a screening server keeps from one screening to the next. The directives, people and
    their authorizations are read again once the ledger's last order changes (`OrderWatch`);
    posts are reference data, loaded by `muster init` and never removed."""

    orders: OrderWatch = field(default_factory=OrderWatch)
    directives: DirectiveCache = field(default_factory=DirectiveCache)
    people: PersonCache = field(default_factory=PersonCache)
    posts: set[str] = field(default_factory=set)


class PostNotAllowedError(MusterError):
    """Raised when an officer screens at a post they are not bound to (403)."""


class DocumentCheckError(InvalidInputError):
    """Raised when a document fails its checks and no typed identity was given; `problems`
    are the zone's failed checks (`documents.mrz.ZoneProblem`: a code, the field or line it
    names, what was expected and found), whose English text names the field first (`birth
    date check digit: …`, `line 2: …`)."""

    def __init__(self, problems: Sequence[ZoneProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "the document fails its checks: "
            + "; ".join(str(p) for p in self.problems)
            + " — type the identity to proceed"
        )


class IdentityMatcher(Protocol):
    """Finds a traveler on the roll (`identify.RollMatcher`)."""

    def identify(
        self,
        conn: Connection,
        traveler: Traveler,
        last_order: int | None = None,
        day: date | None = None,
    ) -> Identification: ...


TYPED_NUMBER = "typed document number"  # where a typed identity's document number is read


class Identity(BaseModel):
    """The traveler's identity as the officer types it (the document's zone is `Zone`)."""

    given_names: str = Field(min_length=1, max_length=200)
    surnames: str = Field(min_length=1, max_length=200)
    birth_date: str | None = Field(
        None,
        max_length=20,
        description="YYYY-MM-DD, or as `muster match` reads one (DD/MM/YYYY, YYYYMMDD)",
    )
    national_id: str | None = Field(None, max_length=20)
    document_number: str | None = Field(None, max_length=20)
    nationality: str | None = Field(None, max_length=3)

    def traveler(self) -> Traveler:
        """The typed identity as the matcher takes it (its birth date read as `muster match`
        reads one, else refused)."""
        if self.birth_date is not None:
            typed_birth_date(self.birth_date, "identity.birth_date")
        return Traveler(
            self.given_names,
            self.surnames,
            self.birth_date or "",
            self.national_id or "",
            self.document_number or "",
            document_number_field=TYPED_NUMBER,
        )


class Screening(BaseModel):
    """A document's machine-readable zone (`mrz`), the identity typed by the officer, or
    both (the typed identity is screened when the zone fails its checks)."""

    model_config = ConfigDict(
        # What `one_of` enforces, so that the document says it too: not both missing (or null).
        json_schema_extra={
            "not": {"properties": {"mrz": {"type": "null"}, "identity": {"type": "null"}}}
        }
    )

    post: str = Field(min_length=2, max_length=8)
    direction: Literal["exit", "entry"]
    mrz: list[str] | None = Field(
        None, min_length=2, max_length=3, description="The zone's lines (TD1: 3, TD2, TD3: 2)."
    )
    identity: Identity | None = None

    @model_validator(mode="after")
    def one_of(self) -> Screening:
        if self.mrz is None and self.identity is None:
            raise ValueError("give mrz (the document's lines) or identity (typed)")
        return self


def zone_number_field(zone: Zone) -> str:
    """Which field of the zone the traveler's document number is read from."""
    if not zone.optional_data:
        return "zone's document number"
    return "zone's personal number" if zone.format == "TD3" else "zone's optional data"


def zone_traveler(zone: Zone) -> Traveler:
    """The zone's holder as the matcher takes them: a name keeps its `<` form, so that the
    matcher knows its last word may be cut at the field's end."""
    return Traveler(
        "<".join(zone.given_names.split()) + "<",
        "<".join(zone.surnames.split()) + "<",
        "" if zone.birth_date is None else zone.birth_date.isoformat(),
        "",
        zone.optional_data or zone.document_number,
        zone.sex or "",
        document_number_field=zone_number_field(zone),
    )


def read_document(
    request: Screening, day: date
) -> tuple[Traveler, dict[str, Any], tuple[Finding, ...]]:
    """The identity to screen, what the document said and its findings on the screening day
    (a zone that passes its checks but has expired, or names an unknown country); a failed
    document needs typing."""
    if request.mrz is None:
        if request.identity is None:
            raise InvalidInputError(
                "give the document's machine-readable zone (mrz) or the "
                "identity typed by the officer"
            )
        as_typed = {"kind": "typed", "identity": request.identity.model_dump(exclude_none=True)}
        return request.identity.traveler(), {**as_typed, "findings": []}, ()
    typed = None if request.identity is None else request.identity.traveler()
    zone: Zone | None = None
    findings: tuple[Finding, ...] = ()
    try:
        zone = parse_mrz(list(request.mrz), day)
        problems = list(zone.problems)
    except MrzError as err:
        problems = [err.problem]
    if zone is not None and not problems:
        findings = document_findings(zone, day, icao_country_codes())
    document: dict[str, Any] = {
        "kind": "mrz",
        "lines": list(request.mrz),
        "checks_passed": not problems and not findings,
        "problems": [str(p) for p in problems],
        "findings": [f.to_json() for f in findings],
    }
    if zone is not None:
        document["zone"] = zone.to_json()
    if request.identity is not None:
        document["identity"] = request.identity.model_dump(exclude_none=True)
    if problems:
        if typed is None:
            raise DocumentCheckError(problems)
        return typed, document, findings
    assert zone is not None
    return typed or zone_traveler(zone), document, findings


@dataclass(frozen=True)
class Screened:
    """A decision ready to be recorded: the crossing to store and the answer to give."""

    record: CrossingRecord
    answer: dict[str, Any]
    at: str


def decide_crossing(
    conn: Connection,
    officer: Account,
    request: Screening,
    matcher: IdentityMatcher,
    now: datetime | None = None,
    caches: ScreeningCaches | None = None,
    day: date | None = None,
) -> Screened:
    """Everything up to the crossing: document, identity, policy (reads only), decided on
    `day` (default `config.today()`): the status and directives of that day. Without
    `caches`, everything is read from the database."""
    at = timestamp(now)
    day = day or today()
    post = request.post.upper()
    if post not in officer.posts:
        raise PostNotAllowedError(f"{officer.name} is not posted at {post}")
    if request.direction not in ("exit", "entry"):
        raise InvalidInputError("direction: expected exit or entry")
    traveler, document, findings = read_document(request, day)
    if caches is None or post not in caches.posts:
        if conn.execute(select(posts.c.code).where(posts.c.code == post)).first() is None:
            raise InvalidInputError(f"unknown post {post}")
        if caches is not None:
            caches.posts.add(post)
    last_order = last_order_seq(conn) if caches is None else caches.orders.last_order(conn)
    found = matcher.identify(conn, traveler, last_order, day)
    person: PersonFacts | None = None
    authorized: list[AuthorizationRecord] = []
    if found.person_id is not None:
        if caches is not None:
            person, authorized = caches.people.get(conn, found.person_id, last_order, day)
        else:
            person = load_person(conn, found.person_id, day)
            authorized = load_authorizations(conn, found.person_id)
    subject = (
        None
        if person is None
        else policy.Subject(person.category, person.status, person.reinstated, person.component)
    )
    recorded = load_directives(conn) if caches is None else caches.directives.get(conn, last_order)
    directives = [policy.Directive(d.number, d.effective, d.rules, d.revoked_on) for d in recorded]
    authorizations = [
        policy.Authorization(a.number, a.valid_from, a.valid_until, a.revoked_on)
        for a in authorized
    ]
    decision = policy.decide(
        found.verdict,
        subject,
        request.direction,
        day,
        directives,
        authorizations,
        found.reasons,
        [policy.finding(f.code, f.field, f.text) for f in findings],
    )
    reasons = [r.to_json() for r in decision.reasons]
    match = found.to_json()
    record = CrossingRecord(
        post=post,
        direction=request.direction,
        officer=officer.name,
        document=document,
        decision=decision.decision,
        reasons=reasons,
        match=match,
        person_id=None if person is None else person.person_id,
    )
    return Screened(
        record,
        answer(decision, reasons, match, person, document),
        at,
    )


def answer(
    decision: policy.Decision,
    reasons: list[dict[str, str]],
    match: dict[str, object],
    person: PersonFacts | None,
    document: dict[str, Any],
) -> dict[str, Any]:
    """What the officer is told: the decision, reasons, match, a minimal summary."""
    summary = None
    if person is not None:
        last = person.former_serial_numbers[-1] if person.former_serial_numbers else None
        summary = {
            "name": person.name,
            "serial_number": person.serial_number or last,
            "component": person.component,
            "status": person.status,
            "category": person.category,
        }
    auth = decision.authorization
    return {
        "decision": decision.decision,
        "reasons": reasons,
        "match": match,
        "person": summary,
        "document_checks_passed": document.get("checks_passed", True),
        "document_findings": document.get("findings", []),
        "authorization": None
        if auth is None
        else {
            "order": auth.number,
            "valid_from": auth.valid_from.isoformat(),
            "valid_until": auth.valid_until.isoformat(),
        },
    }
