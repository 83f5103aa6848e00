"""A service error as a page shows it: in the viewer's language, chosen by its code (the
error's class, as the API's problem documents name it) and filled from what the error carries
(the order number, the subject, the row and field), with the registry's own words only as
the detail underneath, never as raw JSON or a stack trace."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from muster.domain import errors as d
from muster.web import words
from muster.web.i18n import N_, Formats
from muster.web.session import Viewer


@dataclass(frozen=True)
class Shown:
    """A problem ready for a page: a headline in the viewer's language, the items (one per
    subject, row or field), and the service's own detail."""

    code: str
    headline: str
    items: list[str] = field(default_factory=list)
    detail: str = ""


# code -> (message id, what fills its places from the error)
Params = Callable[[Any], dict[str, Any]]
HEADLINES: dict[str, tuple[str, Params]] = {
    "OrderNumberTakenError": (
        N_("Order number %(number)s is already recorded in this registry: choose another."),
        lambda e: {"number": e.number},
    ),
    "TransitionRefusedError": (
        N_("Refused for %(who)s (%(kind)s): on that day their status is “%(status)s”."),
        lambda e: {
            "kind": words.KINDS_BY_VALUE.get(e.kind, e.kind),
            "who": e.who,
            "status": words.TABLES["status"].get(e.status, e.status),
        },
    ),
    "SubjectsRefusedError": (
        N_("Order %(number)s refused for %(count)s subject(s); nothing was recorded."),
        lambda e: {"number": e.number, "count": len(e.problems)},
    ),
    "UnknownSubjectError": (
        N_("%(count)s subject(s) are not on the roll; nothing was recorded."),
        lambda e: {"count": len(e.problems)},
    ),
    "DuplicateSubjectError": (
        N_("%(count)s subject(s) are named twice; nothing was recorded."),
        lambda e: {"count": len(e.problems)},
    ),
    "RollFileError": (
        N_("The file has %(count)s problem(s); nothing was imported."),
        lambda e: {"count": len(e.problems)},
    ),
    "OrderOutOfScopeError": (N_("This authority may not sign this order."), lambda e: {}),
    "DraftClosedError": (
        N_("This draft was %(closed_as)s by %(who)s: it can no longer be signed or closed."),
        lambda e: {"closed_as": words.CLOSINGS.get(e.closed_as, e.closed_as), "who": e.closed_by},
    ),
    "DraftNotYoursError": (
        N_("Only whoever drafted it withdraws a draft, and only its authority declines it."),
        lambda e: {},
    ),
    "SignatureError": (N_("The signature does not verify with the authority's key."), lambda e: {}),
    "NotFoundError": (N_("Not found."), lambda e: {}),
    "CrossingNotFoundError": (
        N_("No crossing %(id)s at a post you may see."),
        lambda e: {"id": e.crossing_id},
    ),
    "ReferralNotFoundError": (
        N_("No referral %(id)s at your posts: only the supervisors of its post resolve it."),
        lambda e: {"id": e.crossing_id},
    ),
    "ReferralResolvedError": (
        N_("This referral was already resolved (%(status)s) by %(who)s: nothing was changed."),
        lambda e: {"status": words.OUTCOMES.get(e.status, e.status), "who": e.resolved_by or "?"},
    ),
    "DocumentCheckError": (
        N_("The document fails its checks: type the identity instead."),
        lambda e: {},
    ),
    "PostNotAllowedError": (N_("You are not posted at this post."), lambda e: {}),
    "NotReadyError": (N_("Not ready to screen yet: the roll is being indexed."), lambda e: {}),
    "CrossingWriterUnavailableError": (
        N_("The crossing could not be recorded: try again in a moment."),
        lambda e: {},
    ),
    "InvalidInputError": (N_("This was refused: a value is not as expected."), lambda e: {}),
    "MethodNotAllowedError": (
        N_("This page does not take a request of this kind (%(method)s): it takes %(allowed)s."),
        lambda e: {"method": e.method, "allowed": ", ".join(e.allowed)},
    ),
    "BodyTooLargeError": (
        N_("What was sent is larger than this page takes (%(limit)s bytes at most, %(setting)s)."),
        lambda e: {"limit": e.limit, "setting": e.setting},
    ),
    "RefusedError": (N_("The registry refused this."), lambda e: {}),
}
FALLBACK = N_("The service refused this.")
TRANSLATED = (
    "kind",
    "status",
    "closed_as",
)  # places filled with a word of the registry's vocabulary
NUMBERS = ("count", "limit")  # places filled with a number, written as the language does
ROW_ITEM = N_("Row %(row)s, column %(column)s: %(value)s — %(expected)s")


def code_of(err: Exception) -> str:
    """The first class in the error's ancestry with a headline (as the API's `code` is its
    class), so that a new subclass still gets its family's words."""
    for cls in type(err).__mro__:
        if cls.__name__ in HEADLINES:
            return cls.__name__
    return type(err).__name__


def shown(viewer: Viewer, err: Exception) -> Shown:
    code = code_of(err)
    message, params = HEADLINES.get(code, (FALLBACK, lambda e: {}))
    numbers = Formats(viewer.language).number  # counts and sizes as the language writes them
    filled = {
        k: viewer.gettext(v)
        if isinstance(v, str) and k in TRANSLATED
        else numbers(v)
        if isinstance(v, int) and not isinstance(v, bool) and k in NUMBERS
        else v
        for k, v in params(err).items()
    }
    headline = viewer.gettext(message, **filled)
    items: list[str] = []
    problems = getattr(err, "problems", None)
    if isinstance(err, d.InvalidInputError) and problems is None and err.fields:
        items = [viewer.gettext(N_("Field: %(field)s"), field=", ".join(err.fields))]
    if problems:
        for p in problems:
            if all(hasattr(p, a) for a in ("row", "column", "value", "expected")):
                items.append(
                    viewer.gettext(
                        ROW_ITEM, row=p.row, column=p.column, value=p.value, expected=p.expected
                    )
                )
            else:
                items.append(str(p))
    detail = str(err).split("\n", 1)[0] if problems else str(err)
    return Shown(type(err).__name__, headline, items, detail)
