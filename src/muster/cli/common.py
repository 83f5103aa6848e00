"""What every command shares: settings, output on the right stream, passphrases, errors."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import typer
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from typer.core import TyperGroup

from muster import bootstrap, file_errors
from muster.cli.fields import message_of, option_of
from muster.domain.errors import InvalidInputError, VerificationError
from muster.errors import MusterError
from muster.registry.opening import registry_row

if TYPE_CHECKING:
    from rich.console import Console

    from muster.config import Settings

_consoles: dict[bool, Console] = {}


def console(stderr: bool = True) -> Console:
    """Rich's console on stderr (or stdout), made on first use: Rich is imported by the
    commands that print through it (tables, progress, errors), not at every start."""
    found = _consoles.get(stderr)
    if found is None:
        from rich.console import Console

        found = _consoles[stderr] = Console(stderr=stderr, highlight=False, soft_wrap=True)
    return found


def __getattr__(name: str) -> Any:
    """`err_console` and `out_console`, made when a command first prints through them."""
    if name == "err_console":
        return console(stderr=True)
    if name == "out_console":
        return console(stderr=False)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_VERIFY = 0, 1, 2, 3


def _remember_json(ctx: typer.Context, value: bool) -> bool:
    """Note --json where the error handler finds it: a refusal is then a JSON object too."""
    if value:
        ctx.meta[JSON_REQUESTED] = True
    return value


JSON_REQUESTED = "muster.json"
JsonOption = typer.Option(
    False, "--json", help="Print exactly one JSON object on stdout.", callback=_remember_json
)


class MusterGroup(TyperGroup):
    """Maps Muster's errors to one clear line on stderr and the documented exit codes."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click Context
        try:
            return super().invoke(ctx)
        except VerificationError as err:
            console().print(f"[bold red]verification failed:[/] {err}", markup=True)
            ctx.exit(EXIT_VERIFY)
        except MusterError as err:
            if ctx.meta.get(JSON_REQUESTED):
                emit_json(error_json(err))
            console().print(f"[bold red]error:[/] {escape(message_of(err))}", markup=True)
            ctx.exit(EXIT_REFUSED)
        except SQLAlchemyError as err:  # the database is unreachable, locked or not Muster's
            detail = str(getattr(err, "orig", None) or err).splitlines()[0]
            console().print(
                f"[bold red]error:[/] database: {escape(detail)} (check MUSTER_DATABASE_URL)",
                markup=True,
            )
            ctx.exit(EXIT_REFUSED)


def error_json(err: MusterError) -> dict[str, Any]:
    """A refusal as one JSON object: its class, what it says, and every problem it lists."""
    detail = message_of(err)
    obj: dict[str, Any] = {"ok": False, "code": type(err).__name__, "detail": detail}
    problems = getattr(err, "problems", None)
    if problems:
        obj["detail"] = detail.splitlines()[0].rstrip(":")
        obj["problems"] = [
            dataclasses.asdict(p)
            if dataclasses.is_dataclass(p) and not isinstance(p, type)
            else str(p)
            for p in problems
        ]
    source = getattr(err, "source", None)
    if isinstance(source, str):
        obj["file"] = source
    if isinstance(err, InvalidInputError) and err.fields:
        obj["options"] = [option_of(f) for f in err.fields]
    return obj


def escape(text: str) -> str:
    """Text safe to print through Rich markup."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def usage_error(message: str) -> NoReturn:
    """Options that cannot go together: one line on stderr, exit 2 (usage)."""
    console().print(f"[bold red]usage:[/] {escape(message)}", markup=True)
    raise typer.Exit(EXIT_USAGE)


def settings() -> Settings:
    """Settings from the environment."""
    return bootstrap.settings()


def engine(s: Settings | None = None) -> Engine:
    """The engine for the configured database."""
    return bootstrap.engine(s)


@contextmanager
def reading(s: Settings | None = None) -> Iterator[Connection]:
    """A connection to the database, once it is known to hold a registry (else: `muster init`)."""
    with engine(s).connect() as conn:
        registry_row(conn)
        yield conn


def emit_json(obj: Any) -> None:
    """Exactly one JSON object on stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str, sort_keys=True) + "\n")
    sys.stdout.flush()


def say(message: str) -> None:
    """A message for the person at the terminal (stderr), as it is written."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def secret(env: str, prompt: str, s: Settings | None = None, confirm: bool = False) -> str:
    """A passphrase from the environment, or a prompt on a terminal; never waits otherwise."""
    value = os.environ.get(env)
    if value:
        return value
    if sys.stdin.isatty():
        return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True))
    raise InvalidInputError(
        f"{prompt}: set {env} (standard input is not a terminal, so Muster cannot ask)"
    )


def registry_passphrase() -> str:
    return secret("MUSTER_REGISTRY_PASSPHRASE", "Registry key passphrase")


def key_passphrase(confirm: bool = False) -> str:
    return secret("MUSTER_KEY_PASSPHRASE", "Authority key passphrase", confirm=confirm)


def parse_day(value: str | None, option: str) -> date | None:
    """An ISO date from an option, with a clear error naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInputError(f"{option} {value!r}: expected a date YYYY-MM-DD") from None


def read_text_file(path: Path, what: str) -> str:
    """A UTF-8 text file's contents, or a clear error naming the file."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise file_errors.unreadable(path, what, err) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise file_errors.not_utf8(path, what, data.split(b"\n")) from None


def check_output(path: Path, what: str, *inputs: Path | None) -> None:
    """Refuses, before anything is written, an output file that cannot be written there or
    that is one of the command's input files."""
    if path.is_dir():
        raise InvalidInputError(f"{what} {path}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise InvalidInputError(f"{what} {path}: no folder {path.parent}")
    for given in inputs:
        if given is not None and same_file(path, given):
            raise InvalidInputError(
                f"{what} {path}: it is also an input file ({given}); "
                "write the results to another file"
            )


def open_output(path: Path, what: str) -> TextIO:
    """An output file opened for writing UTF-8 text (CSV: no newline translation)."""
    try:
        return path.open("w", encoding="utf-8", newline="")
    except OSError as err:
        raise InvalidInputError(f"{what} {path}: cannot write it ({err.strerror or err})") from None


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name the same file (through links and `..` too)."""
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def typer_app(help_text: str, callback: Callable[..., Any] | None = None) -> typer.Typer:
    """A command group with Muster's conventions."""
    return typer.Typer(
        help=help_text,
        cls=MusterGroup,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (hidden when stderr is not a terminal); yields `advance(n)`."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    err = console()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        # Off a terminal nothing is shown, so nothing is drawn either: its refresh thread
        # would otherwise render the bar ten times a second for the whole of a long import.
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
