"""The pages of each role, in the order its menu shows them; the first (`LANDING`) is where the
role lands after login."""

from __future__ import annotations

from dataclasses import dataclass

from muster.accounts.accounts import Account, Role
from muster.web.i18n import N_


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # an English message id, translated where shown
    roles: frozenset[Role]
    after_own_pages: bool = False  # shared by several roles: after each role's own pages


NAV: list[NavItem] = []
# Where each role lands after login, whatever order the parts' modules load in: the page
# its work starts from.
LANDING = {
    Role.OFFICER: "/screen",
    Role.SUPERVISOR: "/referrals",
    Role.CLERK: "/roll",
    Role.AUTHORITY: "/drafts",
    Role.AUDITOR: "/ledger",
    Role.ADMIN: "/reports",
}


def add(path: str, label: str, *roles: Role, after_own_pages: bool = False) -> None:
    """A page in the menus of `roles` (each page's module adds its own). A page that several
    roles share (the reports) comes `after_own_pages`, so that no role lands on it while it
    has pages of its own."""
    NAV.append(NavItem(path, label, frozenset(roles), after_own_pages))


def menu(account: Account | None) -> list[NavItem]:
    """The role's pages, its landing page first."""
    if account is None:
        return []
    first = LANDING.get(account.role)
    mine = [item for item in NAV if account.role in item.roles]
    # the landing page first, then the role's own pages as added, then the shared ones
    return sorted(mine, key=lambda item: (item.path != first, item.after_own_pages))


def landing(account: Account) -> str:
    """Where an account lands after login: its role's landing page when it is served, else
    its first page, else the home page."""
    items = menu(account)
    return items[0].path if items else "/home"


HOME = N_("Home")
