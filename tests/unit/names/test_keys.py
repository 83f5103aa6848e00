"""Name words that sound or are spelled alike, and typos, agree; different names do not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from muster.names.keys import compare_words, edit_distance, sound_key


@pytest.mark.parametrize(
    ("a", "b", "how"),
    [
        ("YUSMARY", "YUSMARY", "exact"),
        ("PENA", "PENNA", "spelling"),
        ("YUSMARY", "YUSMARI", "sound"),  # Y/I at the end
        ("YORGELIS", "JORGELIS", "typo"),  # invented names written both ways
        ("WUILMER", "GUILMER", "sound"),  # W/GU
        ("YELITZA", "YELITSA", "sound"),  # Z/S
        ("DANNIELA", "DANIELA", "spelling"),  # a doubled letter
        ("VALENTINA", "BALENTINA", "sound"),  # B/V
        ("HECTOR", "ECTOR", "sound"),  # silent H
        ("GONZALEZ", "GONZALES", "sound"),
        ("RODRIGUEZ", "RODRIGEUZ", "typo"),  # adjacent swap
        ("J", "JOSE", "initial"),
        ("CARMEN", "CARLOS", "none"),
        ("JOSE", "JUAN", "none"),
        ("ANA", "ANAIS", "none"),
    ],
)
def test_compare_words(a: str, b: str, how: str) -> None:
    assert compare_words(a, b).how == how


def test_edit_distance() -> None:
    assert edit_distance("MARIA", "MARIA") == 0
    assert edit_distance("MARIA", "MRAIA") == 1  # one adjacent swap
    assert edit_distance("MARIA", "MARINA") == 1
    assert edit_distance("MARIA", "PEDRO", limit=3) == 3


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12))
def test_a_word_agrees_with_itself_and_keys_are_stable(word: str) -> None:
    assert compare_words(word, word).how == "exact"
    assert sound_key(word) == sound_key(word)
    assert edit_distance(word, word) == 0
