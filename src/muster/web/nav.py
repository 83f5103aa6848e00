"""The pages of each role, in the order its menu shows them; the first is where the role lands
after login."""

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


def add(path: str, label: str, *roles: Role, after_own_pages: bool = False) -> None:
    """A page in the menus of `roles` (each page's module adds its own). A page that several
    roles share (the reports) comes `after_own_pages`, so that no role lands on it while it
    has pages of its own."""
    NAV.append(NavItem(path, label, frozenset(roles), after_own_pages))


def menu(account: Account | None) -> list[NavItem]:
    if account is None:
        return []
    mine = [item for item in NAV if account.role in item.roles]
    return sorted(mine, key=lambda item: item.after_own_pages)  # stable: otherwise as added


def landing(account: Account) -> str:
    """Where an account lands after login: its role's first page, or the home page."""
    items = menu(account)
    return items[0].path if items else "/home"


HOME = N_("Home")
