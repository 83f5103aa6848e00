"""The `muster` command."""

from __future__ import annotations

import importlib

import typer

from muster import __version__
from muster.cli import (
    account_cmd,
    authority_cmd,
    border_cmd,
    common,
    demo_cmd,
    ledger_cmd,
    listing_cmd,
    order_cmd,
    order_sign_cmd,
    post_cmd,
    registry_cmd,
    roll_export_cmd,
    serve_cmd,
)

app = common.typer_app(
    "Muster: the roll of an armed force, changed only by signed orders in a verifiable "
    "ledger.\n\nExit codes: 0 done, 1 refused or invalid input, 2 usage, 3 verification failed."
)
app.command("init")(registry_cmd.init)
app.command("stats")(registry_cmd.stats)
app.add_typer(authority_cmd.app, name="authority")
app.add_typer(order_cmd.roll_app, name="roll")
app.add_typer(order_cmd.order_app, name="order")
app.add_typer(registry_cmd.person_app, name="person")
app.command("verify")(ledger_cmd.verify)
app.add_typer(ledger_cmd.ledger_app, name="ledger")
app.command("demo")(demo_cmd.demo)
app.add_typer(account_cmd.user_app, name="user")
app.command("serve")(serve_cmd.serve)
app.add_typer(account_cmd.token_app, name="token")
order_cmd.roll_app.command("export")(roll_export_cmd.roll_export)
order_cmd.order_app.command("list")(listing_cmd.order_list)
order_cmd.order_app.command("sign")(order_sign_cmd.order_sign)
account_cmd.token_app.command("list")(listing_cmd.token_list)
app.add_typer(post_cmd.post_app, name="post")
app.add_typer(border_cmd.crossing_app, name="crossing")
app.add_typer(border_cmd.referral_app, name="referral")


def _register_match() -> None:
    """The batch matcher, when this build of Muster ships it."""
    try:
        match_cmd = importlib.import_module("muster.cli.match_cmd")
    except ModuleNotFoundError:  # the matcher is an optional part of the package
        return
    match_cmd.register(app)


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
    _register_match()
    app(prog_name="muster")


if __name__ == "__main__":
    main()
