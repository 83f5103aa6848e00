"""The exit-control policy: the demo's 2018 directive decides every case as documented."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from muster.demo.scenario import DIRECTIVE_2018
from muster.domain.exit_policy import Authorization, Directive, Subject, decide, finding

ON = date(2019, 2, 20)
SAIME = Directive("SAIME-DG-2018-0113", date(2018, 11, 13), DIRECTIVE_2018)
AUTHS = {
    "none": [],
    "valid": [Authorization("AV-1", date(2019, 2, 1), date(2019, 3, 1))],
    "expired": [Authorization("AV-2", date(2019, 1, 1), date(2019, 2, 1))],
    "revoked": [
        Authorization("AV-3", date(2019, 2, 1), date(2019, 3, 1), revoked_on=date(2019, 2, 10))
    ],
}


def expected(category: str, status: str, auth: str, verdict: str) -> str:
    """The documented decision, written out from the directive's statement."""
    if verdict == "no_match":
        return "clear"  # not on the roll: this policy does not apply
    by_status = {"absent": "deny", "struck_off": "refer", "discharged": "clear"}
    on_roll = by_status.get(status) or ("authorized" if auth == "valid" else "deny")
    if verdict == "possible":
        return "clear" if on_roll == "clear" else "refer"  # never deny on a possible match
    return on_roll


CASES = list(
    itertools.product(
        ("active", "reserve", "retired_reserve"),
        ("active", "absent", "struck_off", "discharged"),
        (False, True),
        list(AUTHS),
        ("match", "possible", "no_match"),
    )
)


@pytest.mark.parametrize(("category", "status", "reinstated", "auth", "verdict"), CASES)
def test_policy_table(
    category: str, status: str, reinstated: bool, auth: str, verdict: str
) -> None:
    subject = Subject(category, status, reinstated, "GNB")
    result = decide(verdict, subject, "exit", ON, [SAIME], AUTHS[auth])
    assert result.decision == expected(category, status, auth, verdict)
    assert result.reasons, "every decision carries its reasons"
    if verdict == "match" and result.decision != "clear":
        assert any(r.directive == SAIME.number and r.rule for r in result.reasons)
    if result.decision == "authorized":
        assert result.authorization is not None and result.authorization.number == "AV-1"
        assert any(r.authorization == "AV-1" for r in result.reasons)


ACTIVE = Subject("active", "active", False, "GNB")


def directive(
    number: str, rules: list[dict[str, object]], effective: date = date(2018, 1, 1), **extra: object
) -> Directive:
    return Directive(number, effective, {"version": 1, "rules": rules, "default": "clear", **extra})


def test_most_restrictive_directive_wins() -> None:
    refer_gnb = directive(
        "D-1", [{"id": "gnb", "when": {"component": ["GNB"]}, "outcome": "refer", "reason": "GNB"}]
    )
    result = decide("match", ACTIVE, "exit", ON, [SAIME, refer_gnb], AUTHS["valid"])
    assert result.decision == "refer"  # authorized by SAIME, referred by D-1
    assert {r.directive for r in result.reasons if r.directive} == {SAIME.number, "D-1"}


def test_directives_stop_applying_when_revoked_expired_or_not_yet_effective() -> None:
    deny_all = [{"id": "all", "outcome": "deny", "reason": "cerrado"}]
    revoked = Directive(
        "D-R", date(2018, 1, 1), {"version": 1, "rules": deny_all}, revoked_on=date(2019, 2, 1)
    )
    expired = directive("D-E", deny_all, valid_until="2019-01-31")
    future = directive("D-F", deny_all, effective=date(2019, 3, 1))
    result = decide("match", ACTIVE, "exit", ON, [revoked, expired, future], [])
    assert result.decision == "clear"
    assert result.reasons[-1].code == "policy:none"
    assert (
        decide("match", ACTIVE, "exit", date(2019, 1, 15), [revoked, expired, future], []).decision
        == "deny"
    )


def test_direction_and_reinstatement_conditions() -> None:
    exits = directive(
        "D-X",
        [
            {
                "id": "out",
                "when": {"direction": ["exit"], "reinstated": True},
                "outcome": "refer",
                "reason": "reincorporado",
            }
        ],
    )
    reinstated = Subject("active", "active", True, "EB")
    assert decide("match", reinstated, "exit", ON, [exits], []).decision == "refer"
    assert decide("match", reinstated, "entry", ON, [exits], []).decision == "clear"
    assert decide("match", ACTIVE, "exit", ON, [exits], []).decision == "clear"


EXPIRED = finding("expired", "expiry_date", "document expired on 2018-05-01")
UNKNOWN = finding("unknown_code", "nationality", "nationality 'QQQ' is not a country code")
SPECIMEN = finding("specimen", "issuing_state", "issuing state UTO: a specimen")


@pytest.mark.parametrize(
    ("status", "category", "auth", "expected"),
    [
        ("discharged", "active", "none", "refer"),  # would be cleared with a valid document
        ("active", "reserve", "valid", "refer"),  # would be authorized
        ("struck_off", "active", "none", "refer"),
        ("absent", "active", "none", "deny"),  # the absent rule comes first
    ],
)
def test_the_demo_directive_refers_an_expired_or_unknown_document(
    status: str, category: str, auth: str, expected: str
) -> None:
    subject = Subject(category, status, False, "GNB")
    for document in ([EXPIRED], [UNKNOWN], [EXPIRED, UNKNOWN]):
        result = decide("match", subject, "exit", ON, [SAIME], AUTHS[auth], (), document)
        assert result.decision == expected
        codes = [r.code for r in result.reasons]
        assert codes[0] == "match:match" and set(codes[1 : 1 + len(document)]) == {
            r.code for r in document
        }
        if expected == "refer" and status != "struck_off":
            assert any(r.rule == "document" for r in result.reasons)


def test_findings_are_named_in_every_decision_with_their_field() -> None:
    discharged = Subject("active", "discharged", False, "GNB")
    plain = decide("match", discharged, "exit", ON, [SAIME], [], (), [SPECIMEN])
    assert plain.decision == "clear"  # the demo directive does not act on specimens
    assert plain.reasons[1].to_json() == {
        "code": "document:specimen",
        "text": "issuing state UTO: a specimen",
        "field": "issuing_state",
    }
    stranger = decide("no_match", None, "exit", ON, [SAIME], [], (), [EXPIRED])
    assert stranger.decision == "clear"  # not on the roll: the directive does not apply
    assert [r.code for r in stranger.reasons] == [
        "match:no_match",
        "document:expired",
        "identity:not_on_roll",
    ]
    possible = decide("possible", discharged, "exit", ON, [SAIME], [], (), [EXPIRED])
    assert possible.decision == "refer"  # the candidate would be referred for the document
    assert "document:expired" in [r.code for r in possible.reasons]


def test_a_version_1_directive_reads_as_before() -> None:
    v1 = directive("D-1", [{"id": "all", "outcome": "deny", "reason": "cerrado"}])
    assert decide("match", ACTIVE, "exit", ON, [v1], [], (), [EXPIRED]).decision == "deny"
    papers = directive(
        "D-2",
        [{"id": "p", "when": {"document": ["unknown_code"]}, "outcome": "refer", "reason": "P"}],
        version=2,
    )
    assert decide("match", ACTIVE, "exit", ON, [papers], [], (), [EXPIRED]).decision == "clear"
    assert decide("match", ACTIVE, "exit", ON, [papers], [], (), [UNKNOWN]).decision == "refer"
    assert decide("match", ACTIVE, "exit", ON, [papers], []).decision == "clear"  # typed
