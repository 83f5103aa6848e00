"""The registry's vocabulary as a page names it: order kinds, statuses, categories,
decisions, directions and outcomes, each an English message id translated where shown."""

from __future__ import annotations

from muster.domain.kinds import Category, OrderKind, Status
from muster.web.i18n import N_

KINDS = {
    OrderKind.ENLISTMENT: N_("enlistment"),
    OrderKind.ABSENCE: N_("absence"),
    OrderKind.STRIKE_OFF: N_("strike-off"),
    OrderKind.REINSTATEMENT: N_("reinstatement"),
    OrderKind.DISCHARGE: N_("discharge"),
    OrderKind.CATEGORY_CHANGE: N_("category change"),
    OrderKind.AMENDMENT: N_("amendment"),
    OrderKind.TRAVEL_AUTHORIZATION: N_("travel authorization"),
    OrderKind.EXIT_CONTROL: N_("exit-control directive"),
    OrderKind.REVOCATION: N_("revocation"),
}
STATUSES = {
    Status.ACTIVE: N_("active"),
    Status.ABSENT: N_("absent without leave"),
    Status.STRUCK_OFF: N_("struck off"),
    Status.DISCHARGED: N_("discharged"),
}
CATEGORIES = {
    Category.ACTIVE: N_("active service"),
    Category.RESERVE: N_("reserve"),
    Category.RETIRED_RESERVE: N_("retired reserve"),
}
DECISIONS = {
    "clear": N_("Clear"),
    "authorized": N_("Authorized"),
    "refer": N_("Refer"),
    "deny": N_("Deny"),
}
DIRECTIONS = {"exit": N_("exit"), "entry": N_("entry")}
OUTCOMES = {
    "open": N_("open"),
    "released": N_("released"),
    "held": N_("held"),
    "other": N_("other"),
}
CLOSINGS = {  # how a draft was closed unsigned, in "This draft was … by …"
    "withdrawn": N_("withdrawn"),
    "declined": N_("declined"),
}
DRAFT_STATES = {
    "awaiting-signature": N_("awaiting signature"),
    "recorded": N_("signed and recorded"),
    **CLOSINGS,
}
# A travel document's fields, as its zone's checks (`documents.mrz.ZoneProblem.field`) and
# its findings (`Reason.field`) name them.
DOCUMENT_FIELDS = {
    "document number": N_("document number"),
    "birth date": N_("birth date"),
    "expiry date": N_("expiry date"),
    "personal number": N_("personal number"),
    "composite": N_("composite check digit"),
    "sex": N_("sex"),
    "expiry_date": N_("expiry date"),
    "issuing_state": N_("issuing state"),
    "nationality": N_("nationality"),
}
# A document's findings (`document:<code>` reasons), each naming the field it is about.
FINDINGS = {
    "expired": N_("The document has expired (%(field)s)."),
    "unknown_code": N_("Unknown country code (%(field)s)."),
    "specimen": N_("A specimen, not a real document (%(field)s)."),
}
KINDS_BY_VALUE = {k.value: v for k, v in KINDS.items()}
TABLES = {
    "kind": {k.value: v for k, v in KINDS.items()},
    "status": {k.value: v for k, v in STATUSES.items()},
    "category": {k.value: v for k, v in CATEGORIES.items()},
    "decision": DECISIONS,
    "direction": DIRECTIONS,
    "outcome": OUTCOMES,
    "draft_state": DRAFT_STATES,
}


def word(table: str, value: str | None) -> str:
    """The message id naming `value` in `table` (the value itself when it has none)."""
    if value is None:
        return ""
    return TABLES[table].get(value, value)
