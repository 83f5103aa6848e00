"""Progress of long work in named steps, as a bar on a terminal's stderr (nothing otherwise)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from muster.cli import common


@contextmanager
def steps(total: int) -> Iterator[Callable[[str], None]]:
    """A bar of `total` steps; yields `step(message)`, which ends the step before and names
    the one that starts. The bar is hidden when stderr is not a terminal, and goes when done."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=common.err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=total)
        started = False

        def step(message: str) -> None:
            nonlocal started
            bar.update(task, description=message, advance=1 if started else 0)
            started = True

        yield step
