"""Screening a traveler at a border post: document → identity → policy → crossing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.engine import Connection

from muster.accounts.accounts import Account
from muster.documents.findings import Finding, document_findings
from muster.documents.mrz import MrzError, Zone, parse_mrz
from muster.domain import exit_policy as policy
from muster.domain.errors import InvalidInputError
from muster.environment import today
from muster.errors import MusterError
from muster.matching.normalize import typed_birth_date
from muster.reference_data.country_codes import icao_country_codes
from muster.screening.crossings import CrossingRecord
from muster.screening.identify import Identification, OrderWatch, Traveler, last_order_seq
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
    """Raised when a document fails its checks and no typed identity was given."""


class IdentityMatcher(Protocol):
    """Finds a traveler on the roll (`identify.RollMatcher`)."""

    def identify(
        self,
        conn: Connection,
        traveler: Traveler,
        last_order: int | None = None,
        day: date | None = None,
    ) -> Identification: ...


@dataclass(frozen=True)
class ScreeningRequest:
    """What the officer submits."""

    post: str
    direction: str
    mrz: Sequence[str] | None
    identity: Traveler | None


def zone_number_field(zone: Zone) -> str:
    """Which field of the zone the traveler's document number is read from."""
    if not zone.optional_data:
        return "zone's document number"
    return "zone's personal number" if zone.format == "TD3" else "zone's optional data"


def checked_identity(identity: Traveler) -> Traveler:
    """The typed identity, its birth date read as `muster match` reads one, else refused."""
    if isinstance(identity.birth_date, str):
        typed_birth_date(identity.birth_date, "identity.birth_date")
    return identity


def read_document(
    request: ScreeningRequest, day: date
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
        return checked_identity(request.identity), {"kind": "typed", "findings": []}, ()
    if request.identity is not None:
        checked_identity(request.identity)
    zone: Zone | None = None
    findings: tuple[Finding, ...] = ()
    try:
        zone = parse_mrz(list(request.mrz), day)
        problems = list(zone.problems)
    except MrzError as err:
        problems = [str(err)]
    if zone is not None and not problems:
        findings = document_findings(zone, day, icao_country_codes())
    document: dict[str, Any] = {
        "kind": "mrz",
        "lines": list(request.mrz),
        "checks_passed": not problems and not findings,
        "problems": problems,
        "findings": [f.to_json() for f in findings],
    }
    if zone is not None:
        document["zone"] = zone.to_json()
    if problems:
        if request.identity is None:
            raise DocumentCheckError(
                "the document fails its checks: "
                + "; ".join(problems)
                + " — type the identity to proceed"
            )
        return request.identity, document, findings
    assert zone is not None
    traveler = request.identity or Traveler(
        zone.given_names,
        zone.surnames,
        zone.birth_date,
        None,
        zone.optional_data or zone.document_number,
        zone.nationality,
        from_mrz=True,
        sex=zone.sex,
        document_number_field=zone_number_field(zone),
    )
    return traveler, document, findings


@dataclass(frozen=True)
class Screened:
    """A decision ready to be recorded: the crossing to store and the answer to give."""

    record: CrossingRecord
    answer: dict[str, Any]
    at: str


def decide_crossing(
    conn: Connection,
    officer: Account,
    request: ScreeningRequest,
    matcher: IdentityMatcher,
    now: datetime | None = None,
    caches: ScreeningCaches | None = None,
    day: date | None = None,
) -> Screened:
    """Everything up to the crossing: document, identity, policy (reads only), decided on
    `day` (default `config.today()`): the status and directives of that day. Without
    `caches`, everything is read from the database."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
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
    record = CrossingRecord(
        post=post,
        direction=request.direction,
        officer=officer.name,
        document=document,
        decision=decision.decision,
        reasons=reasons,
        match=found.to_json(),
        person_id=None if person is None else person.person_id,
    )
    return Screened(
        record,
        answer(decision, reasons, found, person, document),
        timestamp(moment),
    )


def answer(
    decision: policy.Decision,
    reasons: list[dict[str, str]],
    found: Identification,
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
        "match": found.to_json(),
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
