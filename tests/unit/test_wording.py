"""Messages put "a" or "an" before a value that fills them, never a fixed one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from muster.domain.kinds import OrderKind
from muster.errors import with_article

SRC = Path(__file__).resolve().parents[2] / "src" / "muster"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("absence", "an absence"),
        ("enlistment", "an enlistment"),
        ("officer", "an officer"),
        ("auditor", "an auditor"),
        ("strike-off", "a strike-off"),
        ("revocation", "a revocation"),
        ("supervisor", "a supervisor"),
    ],
)
def test_with_article(word: str, expected: str) -> None:
    assert with_article(word) == expected


def test_every_order_kind_gets_an_article() -> None:
    assert {with_article(k.value).split()[0] for k in OrderKind} == {"a", "an"}


def test_no_message_puts_a_fixed_article_before_a_value() -> None:
    fixed = re.compile(r"\b[Aa]n? \{")
    found = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if fixed.search(line)
    ]
    assert found == [], "use with_article(): " + "; ".join(found)
