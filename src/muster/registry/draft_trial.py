"""What recording a draft would refuse, asked before anyone signs it: the number taken, an
order outside its authority's scope, a subject whose status forbids the order on its day.
The order is folded into its subjects' timelines in a transaction that is always rolled
back, so the registry answers exactly as it will at signing, and nothing is written."""

from __future__ import annotations

from sqlalchemy import Engine

from muster.domain.kinds import OrderKind
from muster.registry.authorities import require_authority
from muster.registry.drafts import Draft
from muster.registry.recording import (
    apply_to_subjects,
    check_number_free,
    check_scope,
    facts_of,
)
from muster.store import ledger_store


def refusals_at_signing(engine: Engine, draft: Draft) -> None:
    """Raises what recording `draft` today would refuse, but for its signature (which no one
    has made yet): OrderNumberTakenError, OrderOutOfScopeError, SubjectsRefusedError naming
    every subject the rules refuse; returns when the registry would accept it."""
    content = draft.content
    with engine.connect() as conn:
        trial = conn.begin()
        try:
            check_number_free(conn, content.number)
            check_scope(conn, require_authority(conn, content.authority), content, draft)
            if draft.subjects and content.kind is not OrderKind.REVOCATION:
                order = facts_of(ledger_store.tree_size(conn), content)
                apply_to_subjects(conn, order, draft.subjects, number=content.number)
        finally:
            trial.rollback()
