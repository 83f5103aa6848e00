"""What the API answers: one model per successful response, so the OpenAPI document says it.

Every model forbids fields it does not name: a route that answered more than its model
would fail loudly in the tests rather than lose the field or leave the document behind."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from muster.accounts.accounts import Role
from muster.domain.kinds import Category, Status


def iso_date(value: object) -> object:
    """A date only as `YYYY-MM-DD` (JSON Schema's `date`), not as a number of seconds."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError("expected a date as YYYY-MM-DD")
    return date.fromisoformat(value)


# A date in a request: pydantic alone would also read `0` as 1970-01-01.
IsoDate = Annotated[date, BeforeValidator(iso_date)]
Hex = Annotated[str, Field(pattern="^[0-9a-f]*$")]
Sha256 = Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Decision = Literal["clear", "authorized", "refer", "deny"]
Outcome = Literal["open", "released", "held", "other"]


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


# System


class Health(Answer):
    """Ready to screen, or still starting (with why)."""

    status: Literal["ready", "starting"]
    detail: str | None = None


class AccountView(Answer):
    """An account: its name, role, posts (officers, supervisors) and office (authorities)."""

    name: str
    role: Role
    posts: list[str]
    authority: str | None


class Session(Answer):
    """A session: the token (also set as a cookie), the account, seconds until it expires."""

    token: str
    account: AccountView
    expires_in: int


class LoggedOut(Answer):
    logged_out: str


# Registry


class PersonFound(Answer):
    person_id: int
    serial_number: str | None
    national_id: str
    given_names: str
    surnames: str
    birth_date: date
    component: str
    status: Status | None = Field(description="On the day asked; null: not on the roll then.")


class PersonSearch(Answer):
    query: str
    people: list[PersonFound]


class Period(Answer):
    """A span of a person's state, opened by an order (`until` null: still open)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: date = Field(alias="from")
    until: date | None
    status: Status
    category: Category
    serial_number: str | None
    rank: str | None
    order: str
    kind: str


class HistoryEvent(Answer):
    """One order that touched the person: what it changed (`before`, `after`)."""

    order: str
    kind: str
    effective: date
    signed_on: date
    authority: str
    ledger_entry: int
    before: dict[str, Any]
    after: dict[str, Any]
    revoked_by: str | None


class PersonView(Answer):
    """A person on a day: their state, the periods of it, those scheduled, their history."""

    person_id: int
    as_of: date
    on_roll: bool
    serial_number: str | None
    national_id: str
    given_names: str
    surnames: str
    birth_date: date
    sex: str
    component: str
    rank: str | None
    category: Category
    unit: str
    status: Status
    reinstated: bool
    former_serial_numbers: list[str]
    periods: list[Period]
    scheduled: list[Period]
    history: list[HistoryEvent]


class Stats(Answer):
    as_of: date
    total: int
    by_status: dict[str, int]
    by_component: dict[str, int]
    by_category: dict[str, int]


class RecordedBy(Answer):
    at: Timestamp
    os_user: str
    account: str | None = None


class OrderView(Answer):
    """An order as recorded: the signed content, its signature and key, its ledger entry."""

    number: str
    kind: str
    authority: str
    signed_on: date
    effective: date
    subjects: int
    ledger_entry: int
    key: str
    signature: str
    recorded: RecordedBy
    revoked_by: str | None
    revoked_on: date | None
    content: dict[str, Any] = Field(description="The signed JSON object (RFC 8785 form).")


class Checkpoint(Answer):
    tree_size: int = Field(ge=0)
    checkpoint: str | None = Field(description="A C2SP tlog-checkpoint signed note.")


class InclusionProof(Answer):
    """That entry `entry` is in the tree of `tree_size` entries: what `muster verify --proof`
    checks offline, with the registry's key, against the `checkpoint` it carries."""

    entry: int = Field(ge=0)
    leaf_hash: Sha256
    tree_size: int = Field(ge=1)
    root: Sha256
    proof: list[Sha256] = Field(description="The audit path (RFC 9162 section 2.1.3).")
    checkpoint: str | None = Field(
        description="The C2SP tlog-checkpoint note the registry signed at `tree_size`."
    )


class ConsistencyProof(Answer):
    """That the tree of `old_size` entries is a prefix of the tree of `new_size` entries."""

    old_size: int = Field(ge=1)
    old_root: Sha256
    new_size: int = Field(ge=1)
    new_root: Sha256
    proof: list[Sha256] = Field(description="The consistency path (RFC 9162 section 2.1.4).")
    checkpoint: str | None = Field(
        description="The C2SP tlog-checkpoint note the registry signed at `new_size`; null "
        "when one write appended that entry and the next, and so signed no checkpoint there."
    )


# Orders


class Draft(Answer):
    """A kept draft: the exact bytes to sign (base64), their SHA-256, the content."""

    draft_id: str
    bytes: str = Field(description="The canonical RFC 8785 bytes to sign, base64.")
    sha256: Sha256
    content: dict[str, Any]


DraftStateName = Literal["awaiting-signature", "recorded", "withdrawn", "declined"]


class DraftState(Answer):
    """A kept draft and where it stands: awaiting its signature, recorded (at
    `ledger_entry`), or closed unsigned: withdrawn by whoever drafted it or declined by its
    authority, by whom, when and why. A draft is an unsigned proposal: closing it changes
    neither the roll nor the ledger."""

    draft_id: str
    number: str
    kind: str
    authority: str
    signed_on: date
    effective: date
    subjects: int | None = Field(description="How many subjects; none for a kind without.")
    created_by: str
    created_at: Timestamp
    state: DraftStateName
    ledger_entry: int | None = Field(description="The entry that recorded it, once signed.")
    closed_by: str | None = Field(description="The account that withdrew or declined it.")
    closed_at: Timestamp | None
    closed_note: str | None = Field(description="The withdrawal's note or the refusal's reason.")


class DraftList(Answer):
    """Drafts newest first (at most `limit`), and how many there are in all."""

    drafts: list[DraftState]
    total: int


class RecordedOrder(Answer):
    number: str
    kind: str
    ledger_entry: int
    subjects: int
    key: str


# Screening and crossings


class Reason(Answer):
    """Why: a code, officer-facing text, and what is behind it when something is."""

    code: str
    text: str
    directive: str | None = None
    rule: str | None = None
    authorization: str | None = None
    field: str | None = None
    outcome: str | None = Field(
        None, description="identity:uncertain: the outcome the person on the roll would get."
    )
    valid_from: str | None = Field(None, description="authorization:valid: its first day.")
    valid_until: str | None = Field(None, description="authorization:valid: its last day.")
    day: str | None = Field(
        None, description="authorization:missing: the day no authorization was valid on."
    )


class Match(Answer):
    verdict: Literal["match", "possible", "no_match"]
    score: float
    reasons: list[str]


class PersonSummary(Answer):
    """The least an officer needs of the person."""

    name: str
    serial_number: str | None
    component: str
    status: str
    category: str


class DocumentFinding(Answer):
    code: str
    field: str
    text: str


class AuthorizationUsed(Answer):
    order: str
    valid_from: date
    valid_until: date


class ScreeningAnswer(Answer):
    """The decision, its reasons, the match, a minimal summary, the recorded crossing."""

    decision: Decision
    reasons: list[Reason]
    match: Match
    person: PersonSummary | None
    document_checks_passed: bool
    document_findings: list[DocumentFinding]
    authorization: AuthorizationUsed | None
    crossing_id: str


class Crossing(Answer):
    """A recorded crossing; an officer is not shown `document` and `person_id`."""

    id: str
    post: str
    direction: Literal["exit", "entry"]
    officer: str
    at: Timestamp
    decision: Decision
    reasons: list[Reason]
    match: Match
    document: dict[str, Any] | None = None
    person_id: int | None = None
    ledger_entry: int | None = Field(description="The batch that sealed it; null until then.")


class Crossings(Answer):
    crossings: list[Crossing]


class Referral(Answer):
    crossing_id: str
    post: str
    status: Outcome
    at: Timestamp
    reasons: list[Reason]
    resolved_by: str | None
    resolved_at: Timestamp | None
    note: str | None


class Referrals(Answer):
    referrals: list[Referral]


class Resolved(Answer):
    crossing_id: str
    status: Literal["released", "held", "other"]
    resolved_by: str


# Accounts


class UserListed(AccountView):
    disabled: bool
    created_at: Timestamp
    created_by: str


class Users(Answer):
    users: list[UserListed]


class Disabled(Answer):
    disabled: str


class NewTokenMade(Answer):
    """A bearer token, shown this once, and the id that revokes it."""

    token: str
    id: str
    user: str


class Revoked(Answer):
    revoked: str
