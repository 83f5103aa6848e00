"""What a verification finds, as data: each problem a code and the parameters it names (the
ledger entry, the order, the person, the values stored and expected…), so that whoever shows
it can word it in their own language, chosen by the code and filled from the parameters.
`str()` of a problem is its English text, the words `muster verify` prints.

TEXTS is the table of codes: every problem `verify_registry` can report is one of them
(a test holds it to that), and a page that has no words for a code shows its English text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from string import Formatter
from typing import Any

from muster.errors import with_article

# The order as it names itself in an entry's problems: "ledger entry 7 (order AUS-1)".
_ORDER = "ledger entry {entry} (order {order})"

# code -> the problem's English text, a `str.format` template of its parameters. A parameter
# that is a tuple of `Difference`s reads as their texts joined by "; "; `a_kind` is the
# parameter `kind` (an entry type) with its article.
TEXTS: dict[str, str] = {
    # The registry's key, against the one trusted (`--key`, `--fingerprint`).
    "key_not_given": (
        "{where}: the registry key {name} {fingerprint} is not the key given "
        "({given_name} {given_fingerprint})"
    ),
    "key_not_pinned": (
        "{where}: the registry key has the fingerprint {fingerprint}, not the one pinned ({pinned})"
    ),
    # Ledger entries.
    "entry_altered": (
        "ledger entry {entry}: its data does not match its stored leaf hash (the entry was altered)"
    ),
    "entry_unreadable": "ledger entry {entry}: not a readable Muster entry",
    "entry_type_differs": (
        "ledger entry {entry}: stored type {stored!r} but the entry says {found!r}"
    ),
    "entry_zero_not_registry": "ledger entry {entry}: expected the registry-created entry",
    "entry_incomplete": "ledger entry {entry}: {a_kind} entry that cannot be read ({error})",
    "registry_differs": "table registry: origin or public key differs from ledger entry 0",
    "key_fingerprint_differs": (
        "ledger entry {entry}: key fingerprint does not match its public key"
    ),
    "crossing_table_altered": (
        "ledger entry {entry} (crossing batch): its crossing table is missing or altered"
    ),
    # Orders, as their entries hold them.
    "order_foreign_key": _ORDER + ": signed with key {key}, not a key of {authority}",
    "order_key_revoked": _ORDER + ": key {key} was revoked before the order was recorded",
    "order_signature": _ORDER + ": the signature does not verify",
    "order_authority_unknown": _ORDER + ": authority {authority} is not in the ledger before it",
    "order_number_twice": _ORDER + ": order number used twice",
    "order_other_registry": _ORDER + ": drafted for another registry ({registry})",
    "order_subjects_altered": _ORDER + ": its subject list is missing or altered",
    "order_revokes_unknown": _ORDER + ": revokes order {revokes}, not in the ledger before it",
    "order_names_unknown": _ORDER + ": names person {person}, whom no enlistment accounts for",
    "order_out_of_scope": _ORDER + ": {error}",
    "enlistment_columns": "order {order}: its table's columns are not {columns}",
    "person_unfoldable": "person {person}: the orders do not fold ({error})",
    # The Merkle tree and the checkpoints.
    "merkle_node_differs": "Merkle node level {level} index {index}: does not match the entries",
    "merkle_node_count": "Merkle nodes: {stored} stored, {expected} expected for {size} entries",
    "checkpoint_unverified": (
        "checkpoint at size {size}: signature or format does not verify ({error})"
    ),
    "checkpoint_row_differs": "checkpoint at size {size}: its note disagrees with its stored row",
    "checkpoint_root_differs": (
        "checkpoint at size {size}: root does not match the ledger's entries"
    ),
    "checkpoint_behind": "latest checkpoint covers {covered} entries, the ledger holds {size}",
    # The stored authorities, their keys and the orders, against the ledger's.
    "authority_unaccounted": "authority {key}: stored, but no ledger entry accounts for it",
    "authority_differs": "authority {key}: {field} stored {stored!r}, ledger says {expected!r}",
    "authority_missing": "authority {key}: missing from its table",
    "authority_key_unaccounted": (
        "authority key {key}: stored, but no ledger entry accounts for it"
    ),
    "authority_key_differs": (
        "authority key {key}: {field} stored {stored!r}, ledger says {expected!r}"
    ),
    "authority_key_missing": "authority key {key}: missing from its table",
    "order_unaccounted": "order {key}: stored, but no ledger entry accounts for it",
    "order_differs": "order {key}: {field} stored {stored!r}, ledger says {expected!r}",
    "order_missing": "order {key}: missing from its table",
    "order_details_differ": "order {order}: details stored differ from the signed order",
    # The stored roll and its periods, against the roll rebuilt from the orders.
    "roll_person_unaccounted": "roll person {person}: stored, but no enlistment accounts for it",
    "roll_person_differs": "roll person {person} ({who}): {differences}",
    "roll_count": "roll: {stored} rows stored, the ledger accounts for {expected}",
    "order_subjects_differ": "order_subjects: {count} row(s) differ from the signed subject lists",
    "former_serials_differ": (
        "former_serials: differs from the serial numbers struck off in the ledger"
    ),
    "period_unaccounted": "period of person {person} from {start}: stored, but no order opens it",
    "period_differs": "period of person {person} from {start}: {differences}",
    "period_missing": "period of person {person} from {start}: missing from its table",
    # Crossings.
    "crossing_unsealed": (
        "crossing {crossing}: marked sealed in entry {entry}, but no batch entry holds it"
    ),
    "crossing_differs": "crossing {crossing}: stored record differs from ledger entry {entry}",
    "crossing_missing": "crossing {crossing}: in the ledger but missing from its table",
    # The report's cap.
    "more_problems": "… more problems not listed",
}

DERIVED = {"a_kind": "kind"}  # a place the text fills from another parameter


def places(template: str) -> frozenset[str]:
    """The parameters a template names (a derived place as the parameter it comes from)."""
    names = {name for _text, name, _spec, _conv in Formatter().parse(template) if name}
    return frozenset(DERIVED.get(n, n) for n in names)


PARAMETERS: dict[str, frozenset[str]] = {code: places(text) for code, text in TEXTS.items()}


@dataclass(frozen=True, slots=True)
class Difference:
    """One column whose stored value is not the ledger's: its name and both values."""

    field: str
    stored: Any
    expected: Any

    def __str__(self) -> str:
        return f"{self.field} stored {self.stored!r}, ledger says {self.expected!r}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing that does not verify: its code (a key of TEXTS) and its parameters, exactly
    those the code's text names. `str()` is its English text."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        wanted = PARAMETERS.get(self.code)
        if wanted is None:
            raise ValueError(f"no verification problem has the code {self.code!r}")
        if set(self.params) != wanted:
            raise ValueError(
                f"problem {self.code} names {sorted(wanted)}, not {sorted(self.params)}"
            )

    def __str__(self) -> str:
        values = {k: joined(v) for k, v in self.params.items()}
        if "kind" in values:
            values["a_kind"] = with_article(str(values["kind"]))
        return TEXTS[self.code].format_map(values)


def joined(value: Any) -> Any:
    """A tuple of differences as its texts joined by "; "; any other value as it is."""
    if isinstance(value, tuple) and value and all(isinstance(d, Difference) for d in value):
        return "; ".join(map(str, value))
    return value


def problem(code: str, **params: Any) -> Problem:
    """A problem of `code`, named by its parameters."""
    return Problem(code, params)
