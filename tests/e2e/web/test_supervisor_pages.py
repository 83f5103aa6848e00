"""The supervisor's pages over a small registry (no browser): the queue marks what arrived
since it was opened, a referral is resolved once and only by its post's supervisors, and every
refusal or bad field is said in the page, in the viewer's language, with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from muster.accounts.accounts import Account, Role
from muster.api.app import create_app
from muster.api.deps import SESSION_COOKIE
from muster.config import Settings
from muster.domain.errors import InvalidInputError
from muster.screening import crossings as cx
from muster.web.session import csrf_of_session
from tests.e2e.api.conftest import Api, add_crossing
from tests.factories import crossing_record, record_crossing

ADMIN = Account("admin-user", Role.ADMIN, ())


def as_role(api: Api, role: Role, language: str = "es") -> tuple[dict[str, str], str]:
    api.client.cookies.clear()
    token = api.token(role)
    cookie = f"{SESSION_COOKIE}={token}; muster_lang={language}"
    return {"Cookie": cookie}, csrf_of_session(token)


def get(api: Api, path: str, role: Role = Role.SUPERVISOR, language: str = "es") -> Any:
    headers, _csrf = as_role(api, role, language)
    return api.client.get(path, headers=headers, follow_redirects=False)


def resolve(api: Api, crossing_id: str, data: dict[str, str], language: str = "es") -> Any:
    headers, csrf = as_role(api, Role.SUPERVISOR, language)
    return api.client.post(
        f"/referrals/{crossing_id}",
        headers=headers,
        data={"csrf_token": csrf, **data},
        follow_redirects=False,
    )


def status_of(api: Api, crossing_id: str) -> str:
    with api.engine.connect() as conn:
        found = {r["crossing_id"]: r["status"] for r in cx.list_referrals(conn, ADMIN, None)}
    return found[crossing_id]


def test_the_queue_marks_the_referrals_that_arrived_since_it_was_opened(api: Api) -> None:
    before = add_crossing(api, "refer")
    page = get(api, "/referrals")
    assert page.status_code == 200
    assert before in page.text and 'hx-trigger="every 3s"' in page.text
    seen = page.text.split('name="seen" value="', 1)[1].split('"', 1)[0]
    assert before in seen.split(",")
    after = add_crossing(api, "refer")
    polled = get(api, f"/referrals/queue?seen={seen}")
    assert polled.status_code == 200
    row_after = polled.text.split(f'data-crossing="{after}"', 1)[1].split("</tr>", 1)[0]
    row_before = polled.text.split(f'data-crossing="{before}"', 1)[1].split("</tr>", 1)[0]
    assert "Nueva" in row_after and "Nueva" not in row_before
    assert "Remisiones nuevas desde que abrió esta página" in polled.text
    assert "<html" not in polled.text  # a fragment, not a page


def test_a_referral_at_another_post_is_not_shown_to_this_posts_supervisor(api: Api) -> None:
    elsewhere = add_crossing(api, "refer", post="FPSA")
    assert elsewhere not in get(api, "/referrals").text
    page = get(api, f"/referrals/{elsewhere}")
    assert page.status_code == 404
    assert f"No hay ningún paso {elsewhere} en un puesto que usted pueda ver." in page.text
    refused = resolve(api, elsewhere, {"outcome": "held"})
    assert refused.status_code == 404
    assert status_of(api, elsewhere) == "open"
    assert elsewhere in get(api, "/referrals", Role.AUDITOR).text  # an auditor sees every post


def test_a_referral_is_resolved_once_and_a_second_time_is_refused_in_words(api: Api) -> None:
    referred = add_crossing(api, "refer")
    done = resolve(api, referred, {"outcome": "held", "note": "  a la fiscalía militar "})
    assert done.status_code == 303
    assert done.headers["location"] == f"/referrals/{referred}?resolved=true"
    shown = get(api, done.headers["location"])
    assert "Remisión resuelta: retenido." in shown.text and "a la fiscalía militar" in shown.text
    again = resolve(api, referred, {"outcome": "released"}, language="en")
    assert again.status_code == 409
    assert "This referral was already resolved (held) by supervisor-user" in again.text
    assert status_of(api, referred) == "held"
    crossing = get(api, f"/crossings/{referred}", language="en")
    assert "Outcome: <strong" in crossing.text and "held" in crossing.text


def test_a_resolution_without_an_outcome_or_with_a_long_note_names_the_field(api: Api) -> None:
    referred = add_crossing(api, "refer")
    missing = resolve(api, referred, {"outcome": "", "note": "sin decidir"})
    assert missing.status_code == 400
    assert "Elija cómo terminó la remisión: liberado, retenido u otro." in missing.text
    assert "sin decidir" in missing.text  # what was typed is kept
    long = resolve(api, referred, {"outcome": "other", "note": "x" * 2001}, language="en")
    assert long.status_code == 400
    assert "The note has 2001 characters; it may have at most 2000." in long.text
    assert status_of(api, referred) == "open"


def test_only_a_supervisor_sees_the_form(api: Api) -> None:
    referred = add_crossing(api, "refer")
    assert 'name="outcome"' in get(api, f"/referrals/{referred}").text
    auditor = get(api, f"/referrals/{referred}", Role.AUDITOR, "en")
    assert 'name="outcome"' not in auditor.text
    assert "Only a supervisor of post SBOL resolves it." in auditor.text


def test_the_crossings_of_the_day_and_a_bad_filter(api: Api) -> None:
    cleared = add_crossing(api, "clear")
    page = get(api, "/crossings", language="en")
    assert page.status_code == 200 and cleared in page.text  # recorded now: today's
    refers = get(api, "/crossings?decision=refer", language="en")
    assert cleared not in refers.text
    bad = get(api, "/crossings?day=15/03/2019&decision=maybe&post=FPSA")
    assert bad.status_code == 400
    assert "Se esperaba una fecha como" in bad.text
    assert "Se esperaba una de las decisiones de la lista." in bad.text
    assert "Usted solo ve los pasos de estos puestos: SBOL." in bad.text


def test_a_crossing_that_was_not_referred_has_no_referral_page(api: Api) -> None:
    cleared = add_crossing(api, "clear")
    answer = get(api, f"/referrals/{cleared}")
    assert answer.status_code == 303 and answer.headers["location"] == f"/crossings/{cleared}"
    officer = get(api, f"/crossings/{cleared}", Role.OFFICER, "en")
    assert officer.status_code == 200
    assert "The traveler as presented" not in officer.text  # the decision and reasons only


def test_a_crossing_shows_its_local_time_and_is_listed_on_its_local_day(api: Api) -> None:
    """The registry's zone is Caracas (UTC-4): a crossing at 01:30Z on the 16th happened at
    21:30 of the 15th there, and is one of the 15th's crossings, not the 16th's."""
    with api.engine.begin() as conn:
        late = record_crossing(conn, crossing_record("clear", "SBOL"), "2019-03-16T01:30:00Z")
    fifteenth = get(api, "/crossings?day=2019-03-15")
    row = fifteenth.text.split(f'data-crossing="{late}"', 1)[1].split("</tr>", 1)[0]
    assert "<td>21:30:00</td>" in row
    assert "horas locales (GMT-04:00)" in fifteenth.text and "UTC" not in fifteenth.text
    assert late not in get(api, "/crossings?day=2019-03-16").text
    shown = get(api, f"/crossings/{late}", language="en").text
    assert "Mar 15, 2019, 9:30:00\u202fPM GMT-04:00" in shown


def test_a_registry_zone_that_is_not_a_time_zone_is_refused_at_start() -> None:
    with pytest.raises(InvalidInputError, match="MUSTER_TIMEZONE: 'Caracas' is not a time zone"):
        create_app(Settings(database_url="sqlite://", timezone="Caracas"))
