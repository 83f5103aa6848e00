"""The roll as of a date, and its export in the roll file's columns."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import Engine

from muster.domain.kinds import OrderKind as K
from muster.domain.kinds import Status
from muster.domain.roll_import import ROLL_COLUMNS, check_header, check_roll_rows
from muster.reference_data import load_reference
from muster.registry.roll_export import EXPORT_COLUMNS, export_rows, roll_as_of
from tests.factories import enlist, issue, new_authority, new_registry, roll_rows


def registry_with_history(engine: Engine) -> None:
    new_registry(engine)
    clerk = new_authority(engine, "REG-GNB", [K.ENLISTMENT], ["GNB"])
    command = new_authority(
        engine, "CG-GNB", [K.ABSENCE, K.STRIKE_OFF, K.AMENDMENT, K.REVOCATION], ["GNB"]
    )
    enlist(engine, clerk, roll_rows(4), "ENL-1")
    enlist(engine, clerk, roll_rows(2, start=11), "ENL-2", effective=date(2018, 7, 2))
    issue(engine, command, K.ABSENCE, "AUS-1", "2016-01-01", ["GNB-0000002"])
    issue(engine, command, K.STRIKE_OFF, "SO-1", "2018-12-21", ["GNB-0000002"])
    issue(engine, command, K.ABSENCE, "AUS-2", "2017-01-01", ["GNB-0000003"])
    issue(engine, command, K.REVOCATION, "REV-1", "2017-06-01", revokes="AUS-2")
    issue(
        engine, command, K.AMENDMENT, "AM-1", "2019-01-10", ["GNB-0000004"],
        changes={"given_names": "LEOMARYS"},
    )  # fmt: skip


def test_roll_as_of_gives_each_persons_state_that_day(engine: Engine) -> None:
    registry_with_history(engine)
    with engine.connect() as conn:
        early = {s.national_id: s for s in roll_as_of(conn, date(2016, 6, 1))}
        late = {s.national_id: s for s in roll_as_of(conn, date(2019, 2, 1))}
        assert list(roll_as_of(conn, date(2013, 12, 31))) == []
        middle = {s.national_id: s.status for s in roll_as_of(conn, date(2017, 3, 1))}
        after_revocation = {s.national_id: s.status for s in roll_as_of(conn, date(2017, 7, 1))}
    assert sorted(early) == [f"V-{10_000_000 + i}" for i in (1, 2, 3, 4)]  # ENL-2 is 2018's
    assert early["V-10000002"].status is Status.ABSENT
    assert len(late) == 6
    struck = late["V-10000002"]
    assert struck.status is Status.STRUCK_OFF and struck.serial_number is None
    assert middle["V-10000003"] is Status.ABSENT
    assert after_revocation["V-10000003"] is Status.ACTIVE  # AUS-2 revoked from 2017-06-01
    assert early["V-10000004"].given_names != "LEOMARYS"
    assert late["V-10000004"].given_names == "LEOMARYS"
    assert [s.person_id for s in late.values()] == sorted(s.person_id for s in late.values())


def test_export_rows_import_again(engine: Engine) -> None:
    registry_with_history(engine)
    with engine.connect() as conn:
        rows = list(export_rows(conn, date(2019, 2, 1)))
        only = list(export_rows(conn, date(2019, 2, 1), frozenset({Status.STRUCK_OFF})))
    struck = next(r for r in rows if r[1] == "V-10000002")
    assert struck[0] == "GNB-0000002" and struck[7]  # the serial number and rank last held
    assert struck[-1] == "struck_off" and only == [struck]
    buf = io.StringIO()
    csv.writer(buf).writerows([EXPORT_COLUMNS, *rows])
    header, *body = list(csv.reader(io.StringIO(buf.getvalue())))
    checked = check_roll_rows(body, check_header(header, "export"), load_reference(), source="x")
    assert [list(r) for r in checked] == [r[: len(ROLL_COLUMNS)] for r in rows]
