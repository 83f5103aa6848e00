"""The projection recording writes and verification rebuilds: an order's row, and the scope
rules both refuse an order by (pure, no database)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from muster.domain.errors import OrderOutOfScopeError, RefusedError
from muster.domain.kinds import OrderKind as K
from muster.domain.orders import OrderContent
from muster.registry import projection
from muster.registry.projection import RevokedOrder, Scope, check_scope
from tests.unit.test_migrations import outside

SRC = Path(__file__).resolve().parents[3] / "src" / "muster"
CG = Scope("CG-GNB", ("absence", "strike-off", "revocation"), ("GNB",))


def test_an_order_within_the_scope_passes() -> None:
    check_scope(CG, K.STRIKE_OFF, {"GNB"})
    check_scope(CG, K.REVOCATION, {"GNB"}, RevokedOrder("AUS-1", "absence", None))


@pytest.mark.parametrize(
    ("kind", "components", "revokes", "error", "message"),
    [
        (K.AMENDMENT, {"GNB"}, None, OrderOutOfScopeError, "may not sign amendment orders"),
        (K.STRIKE_OFF, {"GNB", "EB", "ARB"}, None, OrderOutOfScopeError, "component(s) ARB, EB"),
        (
            K.REVOCATION,
            {"GNB"},
            RevokedOrder("AMD-1", "amendment", None),
            OrderOutOfScopeError,
            "may not revoke amendment order AMD-1",
        ),
        (
            K.REVOCATION,
            {"EB"},
            RevokedOrder("AUS-1", "absence", None),
            OrderOutOfScopeError,
            "component(s) EB",
        ),
        (
            K.REVOCATION,
            {"GNB"},
            RevokedOrder("AUS-1", "absence", "REV-1"),
            RefusedError,
            "order AUS-1 is already revoked by REV-1",
        ),
        (
            K.REVOCATION,
            set(),
            RevokedOrder("ENL-1", "enlistment", None),
            RefusedError,
            "order ENL-1 is an enlistment, which cannot be revoked",
        ),
    ],
    ids=["kind", "components", "revoked kind", "revoked subjects", "revoked twice", "enlistment"],
)
def test_an_order_outside_the_scope_is_refused_naming_why(
    kind: K,
    components: set[str],
    revokes: RevokedOrder | None,
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error) as refused:
        check_scope(CG, kind, components, revokes)
    assert message in str(refused.value)


def test_an_authority_without_components_is_named_so() -> None:
    with pytest.raises(OrderOutOfScopeError, match=r"\(its scope: no components\)"):
        check_scope(Scope("DIR", ("strike-off",), ()), K.STRIKE_OFF, {"GNB"})


def test_an_enlistments_components_are_its_rows() -> None:
    rows = [("GNB-1", "V-1", "A", "B", "1980-01-01", "M", "GNB", None, "active", "U")] * 2
    assert projection.enlisted_components([*rows, ["EB-1", *rows[0][1:6], "EB", *rows[0][7:]]]) == {
        "GNB",
        "EB",
    }


def test_an_orders_row_holds_its_signed_values_and_its_details_as_json() -> None:
    content = OrderContent(
        registry="muster.test/registry",
        kind=K.AMENDMENT,
        number="amd-1",
        authority="CG-GNB",
        signed_on=date(2018, 12, 1),
        effective=date(2018, 12, 1),
        changes={"given_names": "PEDRO"},
        previous={"given_names": "JUAN"},
    )
    row = projection.order_values(9, content, "ab12", None)
    assert row["number_key"] == "AMD-1" and row["kind"] == "amendment"
    assert row["signed_on"] == date(2018, 12, 1) and row["revoked_by"] is None
    assert json.loads(row["details"]) == {
        "changes": {"given_names": "PEDRO"},
        "previous": {"given_names": "JUAN"},
    }


def test_the_projection_is_pure() -> None:
    allowed = ("muster.domain", "muster.errors", "muster.store.roll_rows")
    assert outside(SRC / "registry" / "projection.py", allowed) == []
