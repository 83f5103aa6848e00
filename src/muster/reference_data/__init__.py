"""Reference data shipped with Muster: components, ranks and border posts (CSV)."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib.resources import files

from muster.domain.reference import Reference


def read_rows(name: str) -> list[dict[str, str]]:
    """The rows of one shipped reference CSV file."""
    text = files(__name__).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def load_reference() -> Reference:
    """The FANB components and ranks."""
    return Reference.from_rows(read_rows("fanb_components.csv"), read_rows("fanb_ranks.csv"))
