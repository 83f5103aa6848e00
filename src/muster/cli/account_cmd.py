"""`muster user …`, `muster token …`: accounts of the HTTP service."""

from __future__ import annotations

import typer

from muster.accounts import accounts
from muster.accounts.accounts import Role
from muster.actor import Actor
from muster.cli import common

user_app = common.typer_app("Accounts of the HTTP service: people, their roles and posts.")
token_app = common.typer_app("Bearer tokens for machines (shown once, stored hashed).")


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="The account's name."),
    role: Role = typer.Option(
        ..., "--role", help="admin, clerk, authority, officer, supervisor or auditor."
    ),
    post: list[str] = typer.Option([], "--post", help="A border post (officers, supervisors)."),
    authority: str = typer.Option(None, "--authority", help="The office (authority role)."),
    as_json: bool = common.JsonOption,
) -> None:
    """Create an account; the password comes from MUSTER_USER_PASSWORD or a prompt."""
    password = common.secret("MUSTER_USER_PASSWORD", f"Password for {name}", confirm=True)
    with common.engine().begin() as conn:
        account = accounts.add_user(
            conn,
            name,
            role,
            password,
            post_codes=post,
            authority=authority,
            created_by=Actor.current().os_user,
        )
    if as_json:
        common.emit_json(account.to_json())
    else:
        common.say(f"user {account.name} ({account.role.value}) created")


@user_app.command("list")
def user_list(as_json: bool = common.JsonOption) -> None:
    """Every account, with role, posts, authority and whether it is disabled."""
    with common.reading() as conn:
        found = accounts.list_users(conn)
    if as_json:
        common.emit_json({"users": found})
        return
    for u in found:
        posts = ",".join(u["posts"]) or "-"  # type: ignore[arg-type]
        state = " (disabled)" if u["disabled"] else ""
        print(
            f"{u['name']:<20} {u['role']:<11} posts {posts:<12} authority "
            f"{u['authority'] or '-'}{state}"
        )


@user_app.command("disable")
def user_disable(name: str = typer.Argument(..., help="The account's name.")) -> None:
    """Disable an account: its sessions and tokens stop working at once."""
    with common.engine().begin() as conn:
        accounts.disable_user(conn, name)
    common.say(f"user {name} disabled")


@token_app.command("create")
def token_create(
    name: str = typer.Argument(..., help="An existing user; the token acts in their role."),
    expires_in: int = typer.Option(None, "--expires-in", help="Days until it expires."),
) -> None:
    """Create a bearer token: the token alone is stdout's last line, shown this once."""
    with common.engine().begin() as conn:
        token, token_id = accounts.create_token(conn, name, expires_in)
    common.say(
        f"token {token_id} for {name} (revoke with `muster token revoke {token_id}`); "
        "it is shown once:"
    )
    print(token)


@token_app.command("revoke")
def token_revoke(
    token: str = typer.Argument(
        ..., help="The token itself, or exactly the 12-character id `token create` printed."
    ),
) -> None:
    """Revoke one bearer token: it stops working at once, on every server."""
    with common.engine().begin() as conn:
        token_id = accounts.revoke_token(conn, token)
    common.say(f"token {token_id} revoked")
