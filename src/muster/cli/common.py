"""What every command shares: settings, output on the right stream, passphrases, errors."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from typer.core import TyperGroup

from muster.config import Settings
from muster.domain.errors import InvalidInputError, VerificationError
from muster.errors import MusterError
from muster.services.registry import registry_row
from muster.store.dialects import make_engine

err_console = Console(stderr=True, highlight=False, soft_wrap=True)
out_console = Console(highlight=False, soft_wrap=True)

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_VERIFY = 0, 1, 2, 3

JsonOption = typer.Option(False, "--json", help="Print exactly one JSON object on stdout.")


class MusterGroup(TyperGroup):
    """Maps Muster's errors to one clear line on stderr and the documented exit codes."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click Context
        try:
            return super().invoke(ctx)
        except VerificationError as err:
            err_console.print(f"[bold red]verification failed:[/] {err}", markup=True)
            ctx.exit(EXIT_VERIFY)
        except MusterError as err:
            err_console.print(f"[bold red]error:[/] {escape(str(err))}", markup=True)
            ctx.exit(EXIT_REFUSED)
        except SQLAlchemyError as err:  # the database is unreachable, locked or not Muster's
            detail = str(getattr(err, "orig", None) or err).splitlines()[0]
            err_console.print(
                f"[bold red]error:[/] database: {escape(detail)} (check MUSTER_DATABASE_URL)",
                markup=True,
            )
            ctx.exit(EXIT_REFUSED)


def escape(text: str) -> str:
    """Text safe to print through Rich markup."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def settings() -> Settings:
    """Settings from the environment."""
    return Settings()


def engine(s: Settings | None = None) -> Engine:
    """The engine for the configured database."""
    return make_engine((s or settings()).database_url)


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
    """A message for the person at the terminal (stderr)."""
    err_console.print(message, markup=False)


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
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InvalidInputError(f"{what} {path}: no such file") from None
    except UnicodeDecodeError as err:
        raise InvalidInputError(f"{what} {path}: not UTF-8 (byte {err.start})") from None
    except OSError as err:
        raise InvalidInputError(f"{what} {path}: {err.strerror}") from None


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

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
