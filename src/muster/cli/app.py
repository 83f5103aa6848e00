"""The `muster` command.

Each top-level command is registered by a function that imports its module: a run of one
command (`muster order issue …`) imports that command's module and what it needs, not every
other command's (the server, the matcher, verify, Rich tables…). `--help`, an unknown
command or none register them all, in the order the help lists them; `--version` none.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Callable

import typer

from muster import __version__
from muster.cli import common

app = common.typer_app(
    "Muster: the roll of an armed force, changed only by signed orders in a verifiable "
    "ledger.\n\nExit codes: 0 done, 1 refused or invalid input, 2 usage, 3 verification failed."
)


def _init(_rest: list[str]) -> None:
    from muster.cli import registry_cmd

    app.command("init")(registry_cmd.init)


def _stats(_rest: list[str]) -> None:
    from muster.cli import registry_cmd

    app.command("stats")(registry_cmd.stats)


def _authority(_rest: list[str]) -> None:
    from muster.cli import authority_cmd

    app.add_typer(authority_cmd.app, name="authority")


def _roll(rest: list[str]) -> None:
    from muster.cli import order_cmd

    def export() -> None:
        from muster.cli import roll_export_cmd

        order_cmd.roll_app.command("export")(roll_export_cmd.roll_export)

    _group(order_cmd.roll_app, "roll", {"export": export}, rest)


def _order(rest: list[str]) -> None:
    from muster.cli import order_cmd

    def listing() -> None:
        from muster.cli import listing_cmd

        order_cmd.order_app.command("list")(listing_cmd.order_list)

    def sign() -> None:
        from muster.cli import order_sign_cmd

        order_cmd.order_app.command("sign")(order_sign_cmd.order_sign)

    _group(order_cmd.order_app, "order", {"list": listing, "sign": sign}, rest)


def _person(_rest: list[str]) -> None:
    from muster.cli import registry_cmd

    app.add_typer(registry_cmd.person_app, name="person")


def _verify(_rest: list[str]) -> None:
    from muster.cli import ledger_cmd

    app.command("verify")(ledger_cmd.verify)


def _ledger(_rest: list[str]) -> None:
    from muster.cli import ledger_cmd

    app.add_typer(ledger_cmd.ledger_app, name="ledger")


def _demo(_rest: list[str]) -> None:
    from muster.cli import demo_cmd

    app.command("demo")(demo_cmd.demo)


def _user(_rest: list[str]) -> None:
    from muster.cli import account_cmd

    app.add_typer(account_cmd.user_app, name="user")


def _serve(_rest: list[str]) -> None:
    from muster.cli import serve_cmd

    app.command("serve")(serve_cmd.serve)


def _token(rest: list[str]) -> None:
    from muster.cli import account_cmd

    def listing() -> None:
        from muster.cli import listing_cmd

        account_cmd.token_app.command("list")(listing_cmd.token_list)

    _group(account_cmd.token_app, "token", {"list": listing}, rest)


def _group(
    group: typer.Typer, name: str, added: dict[str, Callable[[], None]], rest: list[str]
) -> None:
    """A command group whose module is imported, with the commands other modules add to it:
    only the one the arguments run (none, when it is the group's own), else every one."""
    app.add_typer(group, name=name)
    sub = rest[0] if rest else ""
    own = {c.name or (c.callback.__name__ if c.callback else "") for c in group.registered_commands}
    if sub in own:
        return
    for command, add in added.items():
        if sub in (command, "") or sub not in added:
            add()


def _post(_rest: list[str]) -> None:
    from muster.cli import post_cmd

    app.add_typer(post_cmd.post_app, name="post")


def _crossing(_rest: list[str]) -> None:
    from muster.cli import border_cmd

    app.add_typer(border_cmd.crossing_app, name="crossing")


def _referral(_rest: list[str]) -> None:
    from muster.cli import border_cmd

    app.add_typer(border_cmd.referral_app, name="referral")


def _match(_rest: list[str]) -> None:
    """The batch matcher, when this build of Muster ships it."""
    try:
        match_cmd = importlib.import_module("muster.cli.match_cmd")
    except ModuleNotFoundError:  # the matcher is an optional part of the package
        return
    match_cmd.register(app)


# Every top-level command and what registers it, in the order `muster --help` lists them.
COMMANDS: dict[str, Callable[[list[str]], None]] = {
    "init": _init,
    "stats": _stats,
    "authority": _authority,
    "roll": _roll,
    "order": _order,
    "person": _person,
    "verify": _verify,
    "ledger": _ledger,
    "demo": _demo,
    "user": _user,
    "serve": _serve,
    "token": _token,
    "post": _post,
    "crossing": _crossing,
    "referral": _referral,
    "match": _match,
}


def register(args: list[str]) -> None:
    """Register the command these arguments run, none for `--version`, or every command
    when they name none that is known (help, an unknown command: each answered as with them
    all)."""
    first = args[0] if args else ""
    if first in COMMANDS:
        COMMANDS[first](args[1:])
        return
    if first == "--version":  # answered before any command is looked at
        return
    for add in COMMANDS.values():
        add([])


def _print_version(asked: bool) -> None:
    """`muster --version`: the version on stdout, and nothing else is run."""
    if asked:
        print(f"muster {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        is_eager=True,
        callback=_print_version,
        help="Print Muster's version and exit.",
    ),
) -> None:
    """Muster."""


def main() -> None:
    """Entry point: run the command, exit with its code."""
    register(sys.argv[1:])
    # What start-up made (modules, classes, tables) lives as long as the process: out of the
    # cycle collector's way, its passes over a command's own objects stay short.
    gc.freeze()
    app(prog_name="muster")


if __name__ == "__main__":
    main()
