"""`muster match`: find each traveler of a file on the roll, one result row per traveler."""

from __future__ import annotations

import csv
import gc
import io
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from muster import bootstrap, file_errors
from muster.cli import common, progress
from muster.domain.errors import InvalidInputError

if TYPE_CHECKING:  # the matcher (numpy) is imported when `muster match` runs, not at start
    from muster.matching import Matcher, MatchResult, Traveler
    from muster.matching.columns import RollColumns

ROLL_COLUMNS = ("serial_number", "national_id", "given_names", "surnames", "birth_date", "sex")
TRAVELER_COLUMNS = (
    "traveler_id", "given_names", "surnames", "birth_date", "national_id", "document_number",
    "nationality",
)  # fmt: skip
RESULT_COLUMNS = (
    "traveler_id", "serial_number", "score", "verdict", "reasons", "status", "category",
)  # fmt: skip
STANDING_COLUMNS = ("status", "category")  # optional in a roll file
CHUNK = 500

_worker_matcher: Matcher | None = None


def check_header(path: Path, what: str, header: Sequence[str], required: Sequence[str]) -> None:
    """Refuses a CSV file whose header lacks a required column, naming them all."""
    missing = [c for c in required if c not in header]
    if missing:
        raise InvalidInputError(
            f"{what} {path}: missing column(s) {', '.join(missing)}; "
            f"the header must include {','.join(required)}"
        )


def read_csv(path: Path, what: str, required: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file, refused at once if it is not UTF-8 or lacks a column."""
    text = common.read_text_file(path, what).removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        check_header(path, what, reader.fieldnames or [], required)
        return [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]
    except csv.Error as err:
        raise file_errors.bad_csv(path, what, reader.reader.line_num, err) from None


Standing = dict[str, tuple[str, str]]  # a member's key: (status, category)


def read_roll(path: Path) -> tuple[RollColumns, Standing]:
    """A roll file as columns, read as a stream (a 2,000,000-row roll is held neither whole
    nor as a dict per row), with each member's status and category when the file has those
    columns; refused if it is not UTF-8 or lacks a column."""
    what = "roll file"
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            try:
                return _roll_columns(path, reader)
            except csv.Error as err:
                raise file_errors.bad_csv(path, what, reader.line_num, err) from None
    except UnicodeDecodeError:
        raise file_errors.not_utf8(path, what) from None
    except OSError as err:
        raise file_errors.unreadable(path, what, err) from None


def _roll_columns(path: Path, reader: Iterator[list[str]]) -> tuple[RollColumns, Standing]:
    from muster.matching.columns import RollColumns

    header = next(reader, [])
    check_header(path, "roll file", header, ROLL_COLUMNS)
    at = [header.index(c) for c in ROLL_COLUMNS]
    extra = [header.index(c) if c in header else -1 for c in STANDING_COLUMNS]
    width = max(at + extra) + 1
    s, n, g, f, b, x = at
    st, cat = extra
    serials: list[str] = []
    nids: list[str] = []
    given: list[str] = []
    surnames: list[str] = []
    born: list[str] = []
    sex: list[str] = []
    standing: Standing = {}
    for row in reader:
        if len(row) < width:
            if not any(row):
                continue
            row = row + [""] * (width - len(row))
        serial = row[s].strip()
        serials.append(serial)
        nids.append(row[n].strip())
        given.append(row[g])
        surnames.append(row[f])
        born.append(row[b].strip())
        sex.append(row[x].strip())
        if st >= 0 or cat >= 0:
            standing[serial] = (
                row[st].strip() if st >= 0 else "",
                row[cat].strip() if cat >= 0 else "",
            )
    return RollColumns.of(serials, serials, given, surnames, born, nids, sex), standing


def roll_from_registry(as_of: date | None) -> RollColumns:
    """Everyone ever on the registry's roll (as of a date: as the orders in effect then left
    it), each named by the serial number they last held."""
    from muster.environment import today
    from muster.screening.identify import columns_as_of, roll_columns

    engine = common.engine()
    try:
        with bootstrap.reading(engine) as conn:
            if as_of is None:
                return roll_columns(conn, today())
            return columns_as_of(conn, as_of)
    finally:
        engine.dispose()


def standing_from_registry(keys: set[str], as_of: date | None) -> Standing:
    """The status and category of the registry's members with these keys (person ids)."""
    from muster.environment import today
    from muster.registry.standing import states_on

    engine = common.engine()
    try:
        with bootstrap.reading(engine) as conn:
            day = as_of or today()
            states = states_on(conn, sorted(int(k) for k in keys if k.isdigit()), day)
            found = {
                pid: (state.status.value, state.category.value)
                for pid, state in states.items()
                if state is not None
            }
    finally:
        engine.dispose()
    return {str(pid): value for pid, value in found.items()}


def _init_worker(matcher: Matcher) -> None:
    global _worker_matcher
    _worker_matcher = matcher


def result_row(traveler: Traveler, result: MatchResult) -> list[str]:
    """A traveler's row of RESULTS.csv without the member's status and category, then the
    key of the member it names ("" for no match)."""
    best = result.best
    key = best.key if best is not None and result.serial_number else ""
    return [traveler.traveler_id, result.serial_number, f"{result.score:.4f}",
            result.verdict.value, result.reasons(), key]  # fmt: skip


def _match_chunk(travelers: list[Traveler]) -> list[list[str]]:
    assert _worker_matcher is not None
    return [result_row(t, _worker_matcher.match(t)) for t in travelers]


def match_all(matcher: Matcher, travelers: list[Traveler], workers: int) -> Iterator[list[str]]:
    """Result rows in the travelers' order; forked workers share the index copy-on-write."""
    chunks = [travelers[i : i + CHUNK] for i in range(0, len(travelers), CHUNK)]
    if workers <= 1 or len(chunks) <= 1 or "fork" not in _start_methods():
        for chunk in chunks:
            yield from (result_row(t, matcher.match(t)) for t in chunk)
        return
    _init_worker(matcher)  # forked children inherit it
    gc.collect()
    gc.freeze()  # the collector would otherwise touch, and so copy, every inherited object
    try:
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            for rows in pool.map(_match_chunk, chunks):
                yield from rows
    finally:
        gc.unfreeze()


def _start_methods() -> list[str]:
    from multiprocessing import get_all_start_methods

    return get_all_start_methods()


def match(
    travelers_path: Path = typer.Option(..., "--travelers", help="Travelers CSV (UTF-8)."),
    out: Path = typer.Option(..., "--out", help="Where to write the results CSV."),
    roll_path: Path | None = typer.Option(
        None, "--roll", help="Roll CSV; without it, the registry's roll (MUSTER_DATABASE_URL)."
    ),
    index_path: Path | None = typer.Option(
        None, "--index", help="A saved index (.npz, digest checked) instead of --roll."
    ),
    save_index: Path | None = typer.Option(
        None, "--save-index", help="Also save the index built here (.npz + .json)."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="With the registry's roll: the roll as of this date (YYYY-MM-DD)."
    ),
    workers: int = typer.Option(os.cpu_count() or 1, "--workers", min=1, help="Processes."),
) -> None:
    """Find each traveler on the roll; one row per traveler with the best candidate, and
    that member's status and category."""
    check_files(travelers_path, out, roll_path, index_path, save_index)
    as_of_date = None
    if as_of is not None:
        if roll_path is not None or index_path is not None:
            common.usage_error("--as-of applies to the registry's roll: omit --roll/--index")
        as_of_date = common.parse_day(as_of, "--as-of")
    from muster.matching import Matcher, Traveler
    from muster.matching.index import INDEX_STEPS

    rows = read_csv(travelers_path, "travelers file", TRAVELER_COLUMNS)
    standing: Standing | None = {}  # None: look the members up in the registry
    if index_path is not None:
        matcher = Matcher.load(index_path)  # an index holds identities only
    else:
        with progress.steps(1 + INDEX_STEPS) as step:
            step("reading the roll")
            if roll_path is not None:
                roll, standing = read_roll(roll_path)
            else:
                roll, standing = roll_from_registry(as_of_date), None
            matcher = Matcher.from_columns(roll, workers=workers, progress=step)
    if save_index is not None:
        matcher.save(save_index)
    travelers = [
        Traveler(r["given_names"], r["surnames"], r["birth_date"], r["national_id"],
                 r["document_number"], r.get("sex", ""), r["traveler_id"])
        for r in rows
    ]  # fmt: skip
    with common.progress_bar("Matching", len(travelers)) as advance:
        results = []
        for row in match_all(matcher, travelers, workers):
            results.append(row)
            advance(1)
    if standing is None:
        standing = standing_from_registry({r[-1] for r in results if r[-1]}, as_of_date)
    write_results(out, results, standing)


def check_files(
    travelers: Path, out: Path, roll: Path | None, index: Path | None, save_index: Path | None
) -> None:
    """Refuses, before anything is read or written, options that conflict and outputs that
    cannot be written or would overwrite an input."""
    if roll is not None and index is not None:
        common.usage_error("give --roll or --index, not both")
    inputs = [travelers, roll, index, None if index is None else index.with_suffix(".json")]
    saved = [] if save_index is None else [save_index, save_index.with_suffix(".json")]
    common.check_output(out, "--out", *inputs, *saved)
    for path in saved:
        common.check_output(path, "--save-index", *inputs)


def write_results(out: Path, results: list[list[str]], standing: Standing) -> None:
    """RESULTS.csv: each result row with the status and category of the member it names."""
    counts = {"match": 0, "possible": 0, "no_match": 0}
    with common.open_output(out, "--out") as handle:
        writer = csv.writer(handle)
        writer.writerow(RESULT_COLUMNS)
        for *row, key in results:
            counts[row[3]] += 1
            writer.writerow([*row, *standing.get(key, ("", ""))])
    common.say(
        f"{len(results)} travelers: {counts['match']} match, {counts['possible']} possible, "
        f"{counts['no_match']} no_match → {out}"
    )


def register(app: typer.Typer) -> None:
    """Add `muster match` to the command."""
    app.command("match")(match)
