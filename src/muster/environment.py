"""The `MUSTER_*` variables a command reads on every run, without building `config.Settings`
(pydantic and pydantic-settings cost a command's start more than the rest of its settings):
the day decisions are taken on and the database. What they read is what Settings reads."""

from __future__ import annotations

import os
from datetime import date
from typing import Protocol

from muster.domain.errors import InvalidInputError
from muster.store.dialects import DEFAULT_URL


class HasScreeningDate(Protocol):
    """Settings, as `today` reads them."""

    @property
    def screening_date(self) -> date | None: ...


def setting(name: str) -> str | None:
    """The value of `MUSTER_<NAME>` as pydantic-settings reads it: the variable's name in any
    case, and of two spellings the later one in the environment; None when unset."""
    wanted = f"muster_{name}".lower()
    found = None
    for key, value in os.environ.items():
        if key.lower() == wanted:
            found = value
    return found


def database_url() -> str:
    """`MUSTER_DATABASE_URL`, as `Settings().database_url` reads it (default ./muster.db)."""
    url = setting("database_url")
    return DEFAULT_URL if url is None else url


def today(settings: HasScreeningDate | None = None) -> date:
    """The day decisions are taken on: `MUSTER_SCREENING_DATE` when set (a registry set in the
    past, such as the demo), otherwise the server's clock (its local date). Screening, the
    status shown for a person, statistics and the newest day an order may be signed on all
    read it here."""
    if settings is not None:
        day = settings.screening_date
    else:  # what Settings() would read, without building one (a screening asks per decision)
        text = (setting("screening_date") or "").strip()
        try:
            day = date.fromisoformat(text) if text else None
        except ValueError:
            raise InvalidInputError(
                f"MUSTER_SCREENING_DATE {text!r}: expected a date YYYY-MM-DD"
            ) from None
    return day if day is not None else date.today()
