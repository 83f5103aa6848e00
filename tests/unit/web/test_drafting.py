"""Drafting's pure parts: the form's values read, refusals worded in the viewer's language,
and the state of an uploaded file's check as every server process reads it."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from muster.config import Settings
from muster.domain import errors as d
from muster.domain.roll_import import RollFileError, RowProblem
from muster.web import import_jobs
from muster.web.pages import drafting
from muster.web.session import Viewer

SPANISH = Viewer(None, None, "es", "t" * 40)
ENGLISH = Viewer(None, None, "en", "t" * 40)


def test_a_date_field_is_read_or_refused_naming_the_field() -> None:
    assert drafting.parse_day(" 2019-03-15 ", "signed_on") == date(2019, 3, 15)
    assert drafting.parse_day("", "effective", date(2019, 1, 2)) == date(2019, 1, 2)
    with pytest.raises(d.InvalidInputError) as refused:
        drafting.parse_day("15/03/2019", "signed_on")
    assert refused.value.fields == ["signed_on"]


def test_changes_are_field_value_lines_and_rules_a_json_object() -> None:
    assert drafting.changes_of("birth_date = 1988-03-14\n\nsex=F") == {
        "birth_date": "1988-03-14",
        "sex": "F",
    }
    with pytest.raises(d.InvalidInputError, match="FIELD=VALUE"):
        drafting.changes_of("birth_date 1988")
    assert drafting.rules_of('{"rules": []}') == {"rules": []}
    for bad in ("[1]", "{nope"):
        with pytest.raises(d.InvalidInputError) as refused:
            drafting.rules_of(bad)
        assert refused.value.fields == ["rules"]


def test_every_refused_subject_is_worded_in_the_viewers_language() -> None:
    causes = [
        ("GNB-1", d.TransitionRefusedError("strike-off", "GNB-1", "active", ("absent",), "x")),
        ("GNB-3", d.TransitionRefusedError("strike-off", "GNB-3", "discharged", ("absent",), "x")),
    ]
    err = d.SubjectsRefusedError("BAJA-1", [f"{r}: {e}" for r, e in causes], causes=causes)
    shown = drafting.shown(SPANISH, err)
    assert "BAJA-1" in shown.headline and "2" in shown.headline
    assert len(shown.items) == 2
    assert shown.items[0].startswith("GNB-1: ")
    assert "activo" in shown.items[0] and "baja" in shown.items[0].lower()
    english = drafting.shown(ENGLISH, err)
    assert "active" in english.items[0] and "strike-off" in english.items[0]


def test_subjects_not_on_the_roll_are_listed_with_their_lines() -> None:
    problems = [
        d.SubjectProblem(3, "GNB-X", "not on the roll"),
        d.SubjectProblem(None, "V-1", "not on the roll"),
    ]
    err = d.UnknownSubjectError.listing("list.txt", problems)
    assert drafting.shown(ENGLISH, err).items == [
        "Line 3: GNB-X: not on the roll",
        "V-1: not on the roll",
    ]


def test_a_field_refused_is_named_by_its_label() -> None:
    err = drafting.field_error("signed_on", "signed_on: expected a date")
    assert drafting.shown(SPANISH, err).items == ["Campo: Firmada el"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(import_dir=tmp_path / "imports")


def made(settings: Settings, owner: str = "clerk") -> import_jobs.Job:
    job = import_jobs.Job("a" * 24, owner, "roll.csv", total=10)
    folder = import_jobs.jobs_dir(settings) / job.id
    folder.mkdir(parents=True)
    import_jobs.save(folder, job)
    return job


def test_a_check_is_read_by_its_owner_only_and_by_a_well_formed_id(settings: Settings) -> None:
    job = made(settings)
    assert import_jobs.load(settings, job.id, "clerk") == job
    assert import_jobs.load(settings, job.id, "another clerk") is None
    assert import_jobs.load(settings, "../" + job.id, "clerk") is None
    assert import_jobs.load(settings, "b" * 24, "clerk") is None


def test_a_refused_file_keeps_every_problem_for_its_pages(settings: Settings) -> None:
    job = made(settings)
    folder = import_jobs.jobs_dir(settings) / job.id
    found = [RowProblem(i, "birth_date", "x", "a date") for i in range(2, 252)]
    import_jobs.refused(folder, folder / "roll.csv", job, RollFileError("roll.csv", found))
    import_jobs.save(folder, job)
    kept = import_jobs.load(settings, job.id, "clerk")
    assert kept is not None and kept.state == import_jobs.REFUSED and kept.problem_count == 250
    assert import_jobs.problems_page(settings, kept, 200, 100) == found[200:]
    shown = drafting.shown(ENGLISH, import_jobs.error_of(kept))
    assert "250" in shown.headline


def test_a_check_that_stopped_moving_is_said_to_have_stalled(settings: Settings) -> None:
    job = made(settings)
    assert not job.stalled
    job.updated = time.time() - import_jobs.STALLED_AFTER_S - 1
    assert job.stalled
