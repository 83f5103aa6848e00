"""Roll files uploaded through the pages, checked in the background: each check is a folder
holding the file while it is checked and the check's state as small JSON files, so that
whichever process of the server a browser's next request reaches reads the same progress
and the same result (the processes of `muster serve --workers N` share one machine)."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from muster import bootstrap
from muster.config import Settings
from muster.domain import errors as d
from muster.domain.roll_import import RollFileError, RowProblem
from muster.errors import MusterError
from muster.registry import roll_draft
from muster.registry.opening import registry_row
from muster.registry.recording import check_number_free
from muster.registry.roll_file import count_rows, open_roll_file
from muster.registry.roll_import import EnlistmentRequest
from muster.registry.signing_flow import save_draft

JOB_ID = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
STATE = "state.json"
PROBLEMS = "problems.json"
SAVED_EVERY_S = 0.2  # progress written at most this often
STALLED_AFTER_S = 120.0  # a check whose state has not moved for this long has stopped
KEPT_FOR_S = 24 * 3600  # finished checks are removed after a day
CHECKING, REFUSED, DRAFTED = "checking", "refused", "drafted"
logger = logging.getLogger("muster.web")


@dataclass
class Job:
    """One uploaded roll file's check, as every process reads it."""

    id: str
    owner: str
    file: str  # the file's name as uploaded
    state: str = CHECKING
    done: int = 0
    total: int = 0
    updated: float = field(default_factory=time.time)
    # refused: the error's class, its English detail, and what rebuilds it for the page
    code: str = ""
    detail: str = ""
    number: str = ""
    problem_count: int = 0
    # drafted: the draft kept for its authority's signature
    draft_id: str = ""
    draft_number: str = ""
    authority: str = ""
    people: int = 0

    @property
    def stalled(self) -> bool:
        return self.state == CHECKING and time.time() - self.updated > STALLED_AFTER_S


def jobs_dir(settings: Settings) -> Path:
    return settings.import_dir or Path(tempfile.gettempdir()) / "muster-imports"


def job_path(settings: Settings, job_id: str) -> Path | None:
    """The folder of a check, if the id is one this module makes."""
    return jobs_dir(settings) / job_id if JOB_ID.match(job_id) else None


def write_json(path: Path, value: Any) -> None:
    """Replace a JSON file at once: a reader sees the old state or the new, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False)
    os.replace(tmp, path)


def save(folder: Path, job: Job) -> None:
    job.updated = time.time()
    write_json(folder / STATE, asdict(job))


def load(settings: Settings, job_id: str, owner: str) -> Job | None:
    """A check of `owner`'s (None: no such check, or another person's)."""
    folder = job_path(settings, job_id)
    if folder is None:
        return None
    try:
        job = Job(**json.loads((folder / STATE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    return job if secrets.compare_digest(job.owner, owner) else None


def problems_page(settings: Settings, job: Job, start: int, size: int) -> list[RowProblem]:
    """Some of a refused file's bad values, in file order."""
    folder = job_path(settings, job.id)
    assert folder is not None
    try:
        kept = json.loads((folder / PROBLEMS).read_text(encoding="utf-8"))
    except OSError:
        return []
    return [RowProblem(**p) for p in kept[start : start + size]]


def error_of(job: Job) -> MusterError:
    """The refusal a check ended with, rebuilt for `web.problems` to show in any language."""
    if job.code == "RollFileError":
        return RollFileError(job.file, [RowProblem(0, "", "", "")] * job.problem_count)
    if job.code == "OrderNumberTakenError":
        return d.OrderNumberTakenError(job.number)
    return d.InvalidInputError(job.detail)


def clean_up(settings: Settings) -> None:
    """Remove the checks finished more than a day ago."""
    root = jobs_dir(settings)
    if not root.is_dir():
        return
    now = time.time()
    for folder in root.iterdir():
        state = folder / STATE
        if state.exists() and now - state.stat().st_mtime > KEPT_FOR_S:
            shutil.rmtree(folder, ignore_errors=True)


def start(
    settings: Settings,
    engine: Engine,
    owner: str,
    file_name: str,
    copy_into: Callable[[Path], None],
    request: EnlistmentRequest,
) -> Job:
    """Keep an uploaded roll file (`copy_into` writes it to the path given) and check it on a
    thread of this process; the check's state is in its folder for every process to read."""
    clean_up(settings)
    root = jobs_dir(settings)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    job = Job(secrets.token_urlsafe(18), owner, file_name)
    folder = root / job.id
    folder.mkdir(mode=0o700)
    path = folder / "roll.csv"
    copy_into(path)
    job.total = count_rows(path)
    save(folder, job)
    checked = replace(job)  # the thread's own: the answer shows the check as it started
    worker = threading.Thread(
        target=check, args=(engine, folder, path, checked, request), name="muster-web-import"
    )
    worker.daemon = True
    worker.start()
    return job


def check(engine: Engine, folder: Path, path: Path, job: Job, request: EnlistmentRequest) -> None:
    """Check the file and keep its draft, or the reasons it was refused; the file is removed
    either way (nothing of it is imported until its order is signed)."""
    last = 0.0

    def progress(rows: int) -> None:
        nonlocal last
        if time.monotonic() - last >= SAVED_EVERY_S:
            last = time.monotonic()
            job.done = rows
            save(folder, job)

    try:
        with bootstrap.reading(engine) as conn:
            origin, _public = registry_row(conn)
            file = open_roll_file(path)
            draft = roll_draft.draft_roll_file(conn, origin, file, request, job.file, progress)
        with engine.begin() as conn:
            check_number_free(conn, draft.content.number)  # none recorded it meanwhile
            job.draft_id = save_draft(conn, draft, job.owner)
        job.state, job.done = DRAFTED, job.total
        job.draft_number, job.authority = draft.content.number, draft.content.authority
        job.people = len(draft.enlist_rows or ())
    except MusterError as err:
        refused(folder, path, job, err)
    except Exception:  # on a thread of its own: said in the log and in the page, not lost
        logger.exception("the check of %s (%s) failed", job.file, job.id)
        refused(folder, path, job, d.InvalidInputError("the check failed on the server"))
    finally:
        path.unlink(missing_ok=True)
    save(folder, job)


def refused(folder: Path, path: Path, job: Job, err: MusterError) -> None:
    job.state, job.code = REFUSED, type(err).__name__
    job.detail = str(err).replace(str(path), job.file).split("\n", 1)[0]
    job.number = str(getattr(err, "number", ""))
    found: Sequence[RowProblem] = getattr(err, "problems", None) or ()
    if isinstance(err, RollFileError):
        job.problem_count = len(found)
        write_json(folder / PROBLEMS, [asdict(p) for p in found])
