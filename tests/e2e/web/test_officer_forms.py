"""Bad input on the officer's screen: each field says what it needs, in the page, and no
crossing is recorded."""

from __future__ import annotations

from sqlalchemy import func, select

from muster.accounts.accounts import Role
from muster.api.deps import SESSION_COOKIE
from muster.store.tables import crossings
from muster.web.session import csrf_of_session
from tests.e2e.api.conftest import Api


def post(api: Api, data: dict[str, str]) -> tuple[int, str]:
    api.client.cookies.clear()
    token = api.token(Role.OFFICER)
    answer = api.client.post(
        "/screen",
        data={**data, "csrf_token": csrf_of_session(token)},
        headers={"Cookie": f"{SESSION_COOKIE}={token}", "HX-Request": "true"},
    )
    return answer.status_code, answer.text


def recorded(api: Api) -> int:
    with api.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(crossings)).scalar_one())


def test_a_missing_name_and_a_wrong_birth_date_are_said_beside_their_fields(api: Api) -> None:
    before = recorded(api)
    status, page = post(api, {"surnames": "Pérez"})
    assert status == 400
    assert 'id="given_names-error" class="field-error">Obligatorio.' in page
    assert 'id="given_names" name="given_names" value="" ' in page
    status, page = post(
        api, {"given_names": "José", "surnames": "Pérez", "birth_date": "31/31/1995"}
    )
    assert status == 400
    assert "«31/31/1995» no es una fecha" in page
    assert 'value="José"' in page  # what was typed is kept
    assert recorded(api) == before


def test_a_zone_of_one_line_or_nothing_at_all_is_refused_in_the_page(api: Api) -> None:
    status, page = post(api, {"mrz": "P<VENPEREZ<<JOSE<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<"})
    assert status == 400
    assert "1 línea(s) leída(s): una zona tiene 2 líneas de 44" in page
    status, page = post(api, {})
    assert status == 400
    assert "Lea el documento, o escriba la identidad." in page
