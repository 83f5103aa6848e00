"""Exit-control directives: the rules payload an `exit-control` order carries.

Shape (version 2), documented in docs/orders.md:

    {"version": 2,
     "title": "…",
     "rules": [
        {"id": "absent", "when": {"status": ["absent"]}, "outcome": "deny", "reason": "…"},
        …],
     "default": "clear"}

A rule's `when` may name `category`, `status`, `component`, `direction` (lists of values) and
`reinstated` (true/false), and from version 2 `document` (the travel-document findings, any
of which makes it hold); a missing key matches anything. `outcome` is one of `clear`,
`needs_authorization`, `refer`, `deny`; `reason` is the text shown with the decision, required
when a directive is drafted. Validity: the order's effective date and optional `valid_until`
in the payload. Version 1 is version 2 without `document`: both are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from muster.domain.errors import InvalidInputError
from muster.domain.kinds import Category, Status

VERSIONS = (1, 2)
OUTCOMES = ("clear", "needs_authorization", "refer", "deny")
DOCUMENT_FINDINGS = ("expired", "unknown_code", "specimen")
DIRECTIONS = ("exit", "entry")
COMPONENTS = ("EB", "AB", "AMB", "GNB", "MB")
_LISTS: dict[str, tuple[str, ...]] = {
    "category": tuple(c.value for c in Category),
    "status": tuple(s.value for s in Status),
    "component": COMPONENTS,
    "direction": DIRECTIONS,
    "document": DOCUMENT_FINDINGS,
}
_SINCE = {"document": 2}  # conditions added after version 1, and the version that added them
_TOP = {"version", "title", "rules", "default", "valid_until", "description"}
_RULE = {"id", "when", "outcome", "reason"}


def validate_directive(payload: Any, field: str = "rules") -> dict[str, Any]:
    """The directive payload if it fits the schema; otherwise every problem, by JSON path
    inside the request's `field`."""
    problems: list[str] = []
    if not isinstance(payload, Mapping):
        raise InvalidInputError(
            "{field}: expected a JSON object with version, rules, default", fields={"field": field}
        )
    for key in sorted(set(payload) - _TOP):
        problems.append(f"$.{key}: unknown key (expected {', '.join(sorted(_TOP))})")
    version = payload.get("version")
    if version not in VERSIONS or isinstance(version, bool):
        problems.append(f"$.version: expected 1 or 2, found {version!r}")
        version = max(VERSIONS)
    if payload.get("default", "clear") not in OUTCOMES:
        problems.append(f"$.default: expected one of {', '.join(OUTCOMES)}")
    valid_until = payload.get("valid_until")
    if valid_until is not None and not _is_iso_date(valid_until):
        problems.append("$.valid_until: expected an ISO date YYYY-MM-DD")
    rules = payload.get("rules")
    if not isinstance(rules, list) or not rules:
        problems.append("$.rules: expected a non-empty list of rules")
        rules = []
    ids: set[str] = set()
    for i, rule in enumerate(rules):
        problems.extend(_rule_problems(f"$.rules[{i}]", rule, ids, version))
    if problems:
        raise InvalidInputError(
            "{field}: exit-control rules invalid: {problems}",
            fields={"field": field},
            problems="; ".join(problems),
        )
    return dict(payload)


def _rule_problems(path: str, rule: Any, ids: set[str], version: int) -> list[str]:
    if not isinstance(rule, Mapping):
        return [f"{path}: expected an object with id, when, outcome, reason"]
    problems = [f"{path}.{k}: unknown key" for k in sorted(set(rule) - _RULE)]
    rule_id = rule.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        problems.append(f"{path}.id: expected a non-empty string")
    elif rule_id in ids:
        problems.append(f"{path}.id: {rule_id!r} is used twice")
    else:
        ids.add(rule_id)
    if rule.get("outcome") not in OUTCOMES:
        problems.append(f"{path}.outcome: expected one of {', '.join(OUTCOMES)}")
    reason = rule.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        named = f"rule {rule_id!r}" if isinstance(rule_id, str) and rule_id else "the rule"
        found = "none" if reason is None else repr(reason)
        problems.append(
            f"{path}.reason: {named} has no reason (expected the text shown with its "
            f"decision, found {found})"
        )
    when = rule.get("when", {})
    if not isinstance(when, Mapping):
        return [*problems, f"{path}.when: expected an object"]
    for key, value in when.items():
        if key == "reinstated":
            if not isinstance(value, bool):
                problems.append(f"{path}.when.reinstated: expected true or false")
        elif key in _SINCE and version < _SINCE[key]:
            problems.append(
                f"{path}.when.{key}: a condition of version {_SINCE[key]} (the directive "
                f"says version {version})"
            )
        elif key in _LISTS:
            allowed = _LISTS[key]
            if not isinstance(value, list) or not value:
                problems.append(f"{path}.when.{key}: expected a non-empty list")
                continue
            for v in value:
                if v not in allowed:
                    problems.append(f"{path}.when.{key}: {v!r} is not one of {', '.join(allowed)}")
        else:
            problems.append(f"{path}.when.{key}: unknown condition")
    return problems


def _is_iso_date(value: Any) -> bool:
    from datetime import date

    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True
