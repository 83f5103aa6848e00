"""The registry names the fields of a refused input; the CLI words them as its options, the
API as its JSON fields."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from muster.api.errors import problem_of
from muster.cli.common import error_json
from muster.cli.fields import message_of, option_of
from muster.domain.directive import validate_directive
from muster.domain.errors import InvalidInputError
from muster.domain.kinds import OrderKind
from muster.domain.orders import OrderContent, check_order_fields
from muster.registry.drafts import changed
from muster.registry.listings import one_of


def refused(kind: OrderKind, **kw: Any) -> InvalidInputError:
    content = OrderContent(
        registry="r", kind=kind, number="N-1", authority="A", signed_on=date(2018, 1, 1),
        effective=date(2018, 1, 1), **kw,
    )  # fmt: skip
    with pytest.raises(InvalidInputError) as err:
        check_order_fields(content)
    return err.value


def api_detail(err: InvalidInputError) -> dict[str, object]:
    return dict(json.loads(bytes(problem_of(err).body)))


@pytest.mark.parametrize(
    ("path", "option"),
    [
        ("subjects", "--subjects FILE"),
        ("rules", "--rules"),
        ("valid_from", "--valid-from"),
        ("changes", "--set FIELD=VALUE"),
        ("changes.birth_date", "--set birth_date"),
        ("limit", "--limit"),
        ("decision", "--decision"),
        ("expires_in_days", "--expires-in"),
    ],
)
def test_each_field_has_its_option(path: str, option: str) -> None:
    assert option_of(path) == option


def test_an_order_missing_its_subjects_names_the_field() -> None:
    err = refused(OrderKind.STRIKE_OFF)
    assert err.fields == ["subjects"]
    assert str(err) == "order 'N-1' refused: a strike-off order needs subjects"
    assert message_of(err) == "order 'N-1' refused: a strike-off order needs --subjects FILE"
    problem = api_detail(err)
    assert problem["detail"] == str(err) and problem["fields"] == ["subjects"]
    assert "--" not in str(problem["detail"])


def test_every_field_of_several_problems_is_named() -> None:
    err = refused(
        OrderKind.TRAVEL_AUTHORIZATION,
        valid_from=date(2019, 2, 1),
        valid_until=date(2019, 1, 1),
        rules={},
    )
    assert err.fields == ["subjects", "rules", "valid_until", "valid_from"]
    assert message_of(err) == (
        "order 'N-1' refused: a travel-authorization order needs --subjects FILE; "
        "a travel-authorization order takes no --rules; --valid-until is before --valid-from"
    )
    assert error_json(err)["options"] == [
        "--subjects FILE", "--rules", "--valid-until", "--valid-from",
    ]  # fmt: skip


def test_an_amendment_value_is_named_by_its_field_and_never_read_as_a_template() -> None:
    err = changed("{field}={value!r}: expected M or F", "sex", "{X}")
    assert str(err) == "changes.sex='{X}': expected M or F"
    assert message_of(err) == "--set sex='{X}': expected M or F"
    assert api_detail(err)["fields"] == ["changes.sex"]


def test_a_listing_filter_names_its_field() -> None:
    with pytest.raises(InvalidInputError) as err:
        one_of("maybe", ("clear", "deny"), "decision")
    assert message_of(err.value) == "--decision 'maybe': expected one of clear, deny"
    assert api_detail(err.value)["detail"] == "decision 'maybe': expected one of clear, deny"


def test_directive_rules_are_named_by_the_field_that_holds_them() -> None:
    with pytest.raises(InvalidInputError) as err:
        validate_directive({"version": 1, "rules": []})
    assert message_of(err.value).startswith("--rules: exit-control rules invalid: $.rules")
    assert str(err.value).startswith("rules: exit-control rules invalid: $.rules")


def test_a_message_without_fields_is_kept_as_written() -> None:
    err = InvalidInputError("a {brace} kept")
    assert str(err) == message_of(err) == "a {brace} kept" and err.fields == []
    assert "fields" not in api_detail(err)
