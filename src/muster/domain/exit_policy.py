"""The exit-control policy: directives in force, compiled from their rules, decide a crossing.

Each directive in force gives one outcome: its first rule whose conditions all hold, else its
default. `needs_authorization` is settled per directive: a valid travel authorization makes it
`authorized`, none makes it `deny`. Then the most restrictive outcome of all directives wins,
in the order clear < authorized < refer < deny. Identity comes first: a traveler not on the
roll is cleared by this policy, and an uncertain identity (`possible`) is referred to
secondary inspection, never denied (and not even referred when the candidate would be
cleared anyway). The travel document's findings (expired, unknown country code, specimen) are
named in the reasons of every decision, and a rule's `document` condition holds when the
document shows any of those it lists.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

SEVERITY = {"clear": 0, "authorized": 1, "refer": 2, "deny": 3}
CONDITIONS = ("category", "status", "component", "direction")


@dataclass(frozen=True)
class Directive:
    """An exit-control order: its number, effective date, rules, and revocation if any."""

    number: str
    effective: date
    rules: Mapping[str, Any]
    revoked_on: date | None = None

    def in_force(self, on: date) -> bool:
        """Effective, not past its `valid_until`, not revoked on that date."""
        until = self.rules.get("valid_until")
        if self.effective > on or (until is not None and date.fromisoformat(until) < on):
            return False
        return self.revoked_on is None or self.revoked_on > on


@dataclass(frozen=True)
class Authorization:
    """A travel authorization: its number, window, and revocation if any."""

    number: str
    valid_from: date
    valid_until: date
    revoked_on: date | None = None

    def valid(self, on: date) -> bool:
        revoked = self.revoked_on is not None and self.revoked_on <= on
        return self.valid_from <= on <= self.valid_until and not revoked


@dataclass(frozen=True)
class Subject:
    """What the policy knows of a person on the roll."""

    category: str
    status: str
    reinstated: bool
    component: str


@dataclass(frozen=True)
class Reason:
    """Why: a code, officer-facing text, and what is behind it — the directive, rule,
    authorization or document field; for `identity:uncertain` the `outcome` the person on the
    roll would get; for `authorization:valid` its window (`valid_from`, `valid_until`); for
    `authorization:missing` the `day` none was valid on — so that a page words a reason from
    its code and these alone, never by reading its English text."""

    code: str
    text: str
    directive: str | None = None
    rule: str | None = None
    authorization: str | None = None
    field: str | None = None
    outcome: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    day: str | None = None

    def to_json(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Decision:
    """clear / authorized / refer / deny, with every reason that led there."""

    decision: str
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    authorization: Authorization | None = None


def finding(code: str, field: str, text: str) -> Reason:
    """A travel-document finding as a reason (`document:expired`, named by its zone field)."""
    return Reason(f"document:{code}", text, field=field)


def document_codes(document: Sequence[Reason]) -> frozenset[str]:
    """The findings (`expired`, …) of a document's reasons."""
    return frozenset(r.code.removeprefix("document:") for r in document)


def rule_matches(
    when: Mapping[str, Any], subject: Subject, direction: str, document: Collection[str] = ()
) -> bool:
    """Whether every condition of a rule holds for this subject, direction and document
    findings (a `document` condition holds when any finding it lists is present)."""
    facts = {
        "category": subject.category,
        "status": subject.status,
        "component": subject.component,
        "direction": direction,
    }
    if "reinstated" in when and when["reinstated"] != subject.reinstated:
        return False
    if "document" in when and not set(when["document"]) & set(document):
        return False
    return all(facts[key] in when[key] for key in CONDITIONS if key in when)


def directive_outcome(
    d: Directive, subject: Subject, direction: str, document: Collection[str] = ()
) -> tuple[str, Reason]:
    """The outcome one directive gives, and the rule (or default) that gave it."""
    for rule in d.rules.get("rules", ()):
        if rule_matches(rule.get("when", {}), subject, direction, document):
            return rule["outcome"], Reason(
                f"rule:{rule['outcome']}",
                rule.get("reason", ""),
                directive=d.number,
                rule=rule["id"],
            )
    default = d.rules.get("default", "clear")
    return default, Reason(
        f"default:{default}", "no rule of the directive applies", directive=d.number
    )


def settle(
    outcome: str, reason: Reason, authorizations: Sequence[Authorization], on: date
) -> tuple[str, list[Reason], Authorization | None]:
    """Turn needs_authorization into authorized (a valid authorization) or deny (none)."""
    if outcome != "needs_authorization":
        return outcome, [reason], None
    valid = next((a for a in authorizations if a.valid(on)), None)
    if valid is None:
        return (
            "deny",
            [
                reason,
                Reason(
                    "authorization:missing",
                    f"no travel authorization valid on {on.isoformat()}",
                    day=on.isoformat(),
                ),
            ],
            None,
        )
    text = f"travel authorization valid {valid.valid_from} to {valid.valid_until}"
    return (
        "authorized",
        [
            reason,
            Reason(
                "authorization:valid",
                text,
                authorization=valid.number,
                valid_from=valid.valid_from.isoformat(),
                valid_until=valid.valid_until.isoformat(),
            ),
        ],
        valid,
    )


def decide_for_subject(
    subject: Subject,
    direction: str,
    on: date,
    directives: Sequence[Directive],
    authorizations: Sequence[Authorization],
    document: Collection[str] = (),
) -> Decision:
    """The decision for a person known to be on the roll, whose document shows `document`."""
    in_force = [d for d in directives if d.in_force(on)]
    if not in_force:
        return Decision("clear", (Reason("policy:none", "no exit-control directive in force"),))
    worst, reasons, used = "clear", [], None
    for d in in_force:
        outcome, why = directive_outcome(d, subject, direction, document)
        settled, why_all, authorization = settle(outcome, why, authorizations, on)
        reasons.extend(why_all)
        if SEVERITY[settled] > SEVERITY[worst]:
            worst = settled
        used = used or authorization
    return Decision(worst, tuple(reasons), used if worst == "authorized" else None)


def decide(
    verdict: str,
    subject: Subject | None,
    direction: str,
    on: date,
    directives: Sequence[Directive],
    authorizations: Sequence[Authorization],
    match_reasons: Sequence[str] = (),
    document: Sequence[Reason] = (),
) -> Decision:
    """The decision for a traveler given the identity verdict and, if any, the candidate;
    `document`: the findings of the travel document shown (`finding`), named first."""
    match_reason = Reason(f"match:{verdict}", "; ".join(match_reasons) or verdict)
    if verdict == "no_match" or subject is None:
        return Decision(
            "clear",
            (
                match_reason,
                *document,
                Reason(
                    "identity:not_on_roll", "not a person on the roll: this policy does not apply"
                ),
            ),
        )
    decision = decide_for_subject(
        subject, direction, on, directives, authorizations, document_codes(document)
    )
    if verdict == "match":
        return Decision(
            decision.decision,
            (match_reason, *document, *decision.reasons),
            decision.authorization,
        )
    if decision.decision == "clear":
        return Decision("clear", (match_reason, *document, *decision.reasons))
    return Decision(
        "refer",
        (
            match_reason,
            *document,
            Reason(
                "identity:uncertain",
                "identity uncertain: refer to secondary inspection (never "
                f"denied on a possible match; the candidate would be {decision.decision})",
                outcome=decision.decision,
            ),
            *decision.reasons,
        ),
    )
