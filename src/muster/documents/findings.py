"""What a travel document that passes its checks may still show: findings, each named by field.

A finding does not stop a screening (the zone's data is still used, unlike a failed check
digit): it is named in the decision's reasons and a directive may act on it (docs/policy.md).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from muster.documents.mrz import Zone

SPECIMEN_STATE = "UTO"  # Utopia, the fictitious state of ICAO Doc 9303's specimens
FIELD_NAMES = {"issuing_state": "issuing state", "nationality": "nationality"}


@dataclass(frozen=True)
class Finding:
    """One finding: `expired`, `unknown_code` or `specimen`, the zone field, officer-facing text."""

    code: str
    field: str
    text: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "text": self.text}


def document_findings(zone: Zone, on: date, codes: Collection[str]) -> tuple[Finding, ...]:
    """The findings of a zone on the screening day `on`: an expiry before that day, and an
    issuing state or nationality that is not in `codes` (ICAO Doc 9303 Part 3's list)."""
    found: list[Finding] = []
    if zone.expiry_date is not None and zone.expiry_date < on:
        text = (
            f"document expired on {zone.expiry_date.isoformat()}, before the screening day "
            f"{on.isoformat()}"
        )
        found.append(Finding("expired", "expiry_date", text))
    for field, code in (("issuing_state", zone.issuing_state), ("nationality", zone.nationality)):
        what = FIELD_NAMES[field]
        if code == SPECIMEN_STATE:
            text = f"{what} {code}: ICAO's specimen state (Utopia), a specimen, not a document"
            found.append(Finding("specimen", field, text))
        elif code not in codes:
            text = f"{what} {code!r} is not a country code of ICAO Doc 9303 Part 3"
            found.append(Finding("unknown_code", field, text))
    return tuple(found)
