"""The ledger pages without a browser: verify now as the page's script follows it (JSON
lines) and as a plain form, one verification at a time per process, and the export's zip."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select, update

from muster.accounts.accounts import Role
from muster.api.deps import SESSION_COOKIE
from muster.store.tables import roll
from muster.web import verifying
from muster.web.session import csrf_of_session
from tests.e2e.api.conftest import Api


def post_verify(api: Api, accept: str = "text/html", language: str = "es") -> object:
    api.client.cookies.clear()
    token = api.token(Role.AUDITOR)
    return api.client.post(
        "/ledger/verify",
        data={"csrf_token": csrf_of_session(token)},
        headers={
            "Cookie": f"{SESSION_COOKIE}={token}",
            "Accept": accept,
            "Accept-Language": language,
        },
    )


def test_the_script_gets_each_step_then_the_result(api: Api) -> None:
    answer = post_verify(api, "application/x-ndjson")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in answer.text.splitlines()]
    steps, end = lines[:-1], lines[-1]
    assert [s["stage"] for s in steps if not s["count"]] == list(range(6))  # each stage begins
    assert [s["percent"] for s in lines] == sorted(s["percent"] for s in lines)
    assert "El libro mayor se verifica" in end["html"]
    assert end["percent"] == 100 and end["complete"] is True
    assert any(s["count"] == "10 de 10" for s in steps)  # the roll's 10 people, counted


def test_without_script_the_page_comes_back_with_the_result(api: Api) -> None:
    answer = post_verify(api)
    assert answer.status_code == 200
    assert "El libro mayor se verifica" in answer.text
    assert "Personas en el registro" in answer.text


def test_a_second_verification_on_the_same_process_is_told_to_wait(api: Api) -> None:
    assert verifying.RUNNING.acquire(blocking=False)  # one under way
    try:
        page = post_verify(api)
        lines = post_verify(api, "application/x-ndjson")
    finally:
        verifying.RUNNING.release()
    assert page.status_code == 409
    assert "Ya hay una verificación en curso en este servidor" in page.text
    end = json.loads(lines.text.splitlines()[-1])
    assert end["complete"] is False and "Ya hay una verificación en curso" in end["html"]
    assert post_verify(api).status_code == 200  # and once it ends, it runs again


def test_the_export_is_one_folder_of_the_ledger_in_a_zip(api: Api) -> None:
    api.client.cookies.clear()
    cookie = f"{SESSION_COOKIE}={api.token(Role.AUDITOR)}"
    answer = api.client.get("/ledger/export.zip", headers={"Cookie": cookie})
    assert answer.status_code == 200
    name = answer.headers["content-disposition"].split('filename="')[1].rstrip('"')
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        names = archive.namelist()
    top = name.removesuffix(".zip")
    assert {n.split("/")[0] for n in names} == {top}
    assert f"{top}/checkpoint" in names and f"{top}/keys/registry.vkey" in names


def test_a_tampered_registry_shows_each_problem_in_the_viewers_language(api: Api) -> None:
    """Chosen by the problem's code, with the registry's English beneath, in both languages
    and both ways the page asks (its script's stream, and the plain form)."""
    with api.engine.begin() as conn:
        unit = conn.execute(select(roll.c.unit).where(roll.c.person_id == 5)).scalar_one()
        conn.execute(update(roll).where(roll.c.person_id == 5).values(unit="Unidad 99"))
    try:
        spanish = post_verify(api, language="es")
        english = post_verify(api, language="en")
        streamed = post_verify(api, "application/x-ndjson", language="es")
    finally:
        with api.engine.begin() as conn:
            conn.execute(update(roll).where(roll.c.person_id == 5).values(unit=unit))
    said = f"roll person 5 (GNB-0000005): unit stored 'Unidad 99', ledger says '{unit}'"
    assert spanish.status_code == english.status_code == 200
    assert "El libro mayor no se verifica: 1 problema(s)" in spanish.text
    assert (
        f"Persona 5 (GNB-0000005) en el registro: unit guardado &#39;Unidad 99&#39;, el libro "
        f"mayor dice &#39;{unit}&#39;." in spanish.text
    )
    assert "The ledger does not verify: 1 problem(s)" in english.text
    assert (
        f"Person 5 (GNB-0000005) on the roll: unit stored &#39;Unidad 99&#39;, the ledger "
        f"says &#39;{unit}&#39;." in english.text
    )
    for page, detail in (
        (spanish, "Detalle del registro:"),
        (english, "Detail from the registry:"),
    ):
        assert f"{detail} {said}".replace("'", "&#39;") in page.text
        assert 'data-code="roll_person_differs"' in page.text
    end = json.loads(streamed.text.splitlines()[-1])
    assert "Persona 5 (GNB-0000005) en el registro: unit guardado" in end["html"]
    assert post_verify(api).text.count("El libro mayor se verifica") == 1  # restored
