"""A roll file as `muster roll import` reads it: a UTF-8 CSV file with a header, its header
checked at once and its rows read a chunk at a time as the file is decoded (not all of it at
once, nor in memory twice)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from muster import file_errors
from muster.domain.errors import InvalidInputError
from muster.domain.roll_import import check_header

# Rows parsed and checked at a time: few enough that the checks, made a column at a time,
# find them still in the CPU's cache.
CHUNK_ROWS = 500
_BOM = b"\xef\xbb\xbf"
WHAT = "roll file"


@dataclass(frozen=True)
class RollFile:
    """An open roll file: where it is, its header and where each roll column is in it, and
    its data rows, a chunk at a time, read as they are asked for (once)."""

    path: Path
    header: list[str]
    positions: dict[str, int]
    chunks: Iterator[list[list[str]]]

    @property
    def source(self) -> str:
        """The file as errors name it."""
        return str(self.path)


def open_roll_file(path: Path) -> RollFile:
    """The roll file's header, checked, and its rows to come; refuses a file that cannot be
    read, is empty, or lacks a roll column."""
    header, chunks = read_csv(path)
    return RollFile(path, header, check_header(header, str(path)), chunks)


def read_csv(path: Path) -> tuple[list[str], Iterator[list[list[str]]]]:
    """Header of a UTF-8 CSV file, and its rows a chunk at a time as they are read and
    parsed (the file is decoded as it is read: not all of it at once, nor in memory twice)."""
    try:
        handle = path.open("rb")
        start = 0
        while handle.read(3) == _BOM:  # byte order marks, which no field holds
            start += 3
        handle.seek(start)
    except OSError as err:
        raise file_errors.unreadable(path, WHAT, err) from None
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        text.close()
        raise InvalidInputError(f"{path}: the file is empty; expected a header row") from None
    except (csv.Error, UnicodeDecodeError, OSError) as err:
        text.close()
        raise unreadable_csv(path, reader.line_num, err) from None

    def chunks() -> Iterator[list[list[str]]]:
        try:
            while chunk := list(islice(reader, CHUNK_ROWS)):
                yield chunk
        except (csv.Error, UnicodeDecodeError, OSError) as err:
            raise unreadable_csv(path, reader.line_num, err) from None
        finally:
            text.close()

    return header, chunks()


def unreadable_csv(path: Path, line: int, err: Exception) -> InvalidInputError:
    """The error for a roll file that turns out, as it is read, not to be readable CSV."""
    if isinstance(err, UnicodeDecodeError):
        return file_errors.not_utf8(path, WHAT)  # reads the file again for the line
    if isinstance(err, OSError):
        return file_errors.unreadable(path, WHAT, err)
    assert isinstance(err, csv.Error)
    return file_errors.bad_csv(path, WHAT, line, err)


def count_rows(path: Path) -> int:
    """About how many data rows a roll file has (its lines less the header), for progress."""
    with path.open("rb") as f:
        return max(sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b"")) - 1, 0)
