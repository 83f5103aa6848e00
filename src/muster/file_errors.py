"""The errors for an input file that cannot be read as text or CSV: each names the file (as
the person gave it, with what it is for), and the line and byte where it goes wrong."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from muster.domain.errors import InvalidInputError


def unreadable(path: Path, what: str, err: OSError) -> InvalidInputError:
    """The error for an input file that cannot be opened or read."""
    if isinstance(err, FileNotFoundError):
        return InvalidInputError(f"{what} {path}: no such file")
    if isinstance(err, IsADirectoryError):
        return InvalidInputError(f"{what} {path}: is a folder, not a file")
    return InvalidInputError(f"{what} {path}: {err.strerror or err}")


def not_utf8(path: Path, what: str, lines: Iterable[bytes] | None = None) -> InvalidInputError:
    """The error for a file that is not UTF-8, naming the first line and byte that is not
    (`lines`: the file's lines as bytes; read again from the file when not given)."""
    if lines is None:
        try:
            with path.open("rb") as handle:
                return not_utf8(path, what, handle)
        except OSError as err:
            return unreadable(path, what, err)
    for line_no, line in enumerate(lines, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as err:
            return InvalidInputError(
                f"{what} {path}: not UTF-8 at line {line_no}, byte {err.start + 1} of the line "
                f"(0x{line[err.start]:02X}); save the file as UTF-8"
            )
    return InvalidInputError(f"{what} {path}: not UTF-8; save the file as UTF-8")


def bad_csv(path: Path, what: str, line: int, err: csv.Error) -> InvalidInputError:
    """The error for a CSV file the csv module cannot read, naming the line."""
    text = str(err)
    if "field larger than field limit" in text:
        text = (
            f"a field longer than {csv.field_size_limit():,} characters "
            "(is a double quote left open?)"
        )
    return InvalidInputError(f"{what} {path}: line {line}: {text}")
