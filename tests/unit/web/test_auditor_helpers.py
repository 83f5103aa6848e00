"""The ledger pages' rules: which proof a form asks for (or what is wrong with it, by field),
how far a verification is, how it stops when nobody follows it, and the export's zip."""

from __future__ import annotations

import io
import random
import threading
import zipfile
from pathlib import Path

import pytest

from muster.registry.verify import CROSSINGS, ENTRIES, ROLL, STAGES
from muster.web.archive import zip_chunks
from muster.web.pages.auditor import consistency_asked, inclusion_asked
from muster.web.verifying import Event, Step, Tracker, VerificationStoppedError


class TestInclusionAsked:
    def test_an_order_by_its_number(self) -> None:
        assert inclusion_asked(" CG-GNB-1 ", "", "", 10).target == {"order": "CG-GNB-1"}

    def test_an_entry_by_its_position_as_people_write_it(self) -> None:
        assert inclusion_asked("", "9", "", 10).target == {"entry": 9}
        assert inclusion_asked("", "1.234", "", 2000).target == {"entry": 1234}

    def test_a_crossing_by_its_number(self) -> None:
        assert inclusion_asked("", "", "Xab12", 10).target == {"crossing": "Xab12"}

    @pytest.mark.parametrize("entry", ["10", "-1", "two", "1e3"])
    def test_an_entry_outside_the_ledger_names_the_field_and_the_range(self, entry: str) -> None:
        asked = inclusion_asked("", entry, "", 10)
        assert asked.target == {}
        assert asked.errors == {
            "entry": ("A ledger entry is a whole number from 0 to %(last)s.", {"last": 9})
        }

    def test_nothing_or_two_things_asked_is_refused(self) -> None:
        assert list(inclusion_asked("", " ", "", 10).errors) == ["order"]
        both = inclusion_asked("", "3", "X1", 10).errors
        assert list(both) == ["entry"] and "only one" in both["entry"][0]


class TestConsistencyAsked:
    def test_the_newer_size_is_the_ledger_now_by_default(self) -> None:
        assert consistency_asked("3", "", 10).target == {"old_size": 3, "new_size": 10}
        assert consistency_asked("3", "5", 10).target == {"old_size": 3, "new_size": 5}
        assert consistency_asked("5", "5", 10).target == {"old_size": 5, "new_size": 5}

    def test_sizes_outside_the_ledger_are_named_by_field(self) -> None:
        asked = consistency_asked("0", "11", 10)
        assert set(asked.errors) == {"old_size", "new_size"}
        assert asked.errors["old_size"][1] == {"size": 10}

    def test_an_older_size_over_the_newer_is_refused(self) -> None:
        asked = consistency_asked("6", "5", 10)
        assert asked.errors == {
            "old_size": ("The older size must not be over the newer one (%(new)s).", {"new": 5})
        }


def test_a_verifications_percent_grows_by_stage_and_count_and_never_says_done() -> None:
    steps = [Step(0), Step(0, 50, 100), Step(1), Step(STAGES.index(ROLL), 3, 4)]
    percents = [s.percent for s in steps]
    assert percents == sorted(percents) and percents[0] == 0
    assert Step(len(STAGES) - 1, 10, 10).percent == 99  # 100 is the result's alone


def test_the_tracker_tells_each_stage_and_stops_when_nobody_follows() -> None:
    told: list[Event] = []
    stop = threading.Event()
    tracker = Tracker(told.append, stop)
    tracker.progress(ENTRIES)
    tracker.counted(10, 10)
    tracker.progress("rebuilding 12 people of ENL-1")  # a detail, not a stage
    tracker.progress(CROSSINGS)
    assert told == [Step(0), Step(0, 10, 10), Step(STAGES.index(CROSSINGS))]
    stop.set()
    with pytest.raises(VerificationStoppedError):
        tracker.counted(1, 2)
    with pytest.raises(VerificationStoppedError):
        tracker.progress(ROLL)


def test_the_zip_holds_every_file_under_its_folder(tmp_path: Path) -> None:
    src = tmp_path / "export"
    (src / "tile" / "entries").mkdir(parents=True)
    (src / "checkpoint").write_text("origin\n3\nroot\n")
    big = random.Random(7).randbytes(3 * 1024 * 1024)  # three blocks: sent in pieces
    (src / "tile" / "entries" / "000").write_bytes(big)
    pieces = list(zip_chunks(src, "reg-ledger-3"))
    assert len(pieces) >= 4 and all(pieces)
    with zipfile.ZipFile(io.BytesIO(b"".join(pieces))) as archive:
        assert sorted(archive.namelist()) == [
            "reg-ledger-3/checkpoint",
            "reg-ledger-3/tile/entries/000",
        ]
        assert archive.read("reg-ledger-3/tile/entries/000") == big
        assert archive.testzip() is None
