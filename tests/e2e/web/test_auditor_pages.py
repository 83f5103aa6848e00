"""The ledger pages without a browser: verify now as the page's script follows it (JSON
lines) and as a plain form, one verification at a time per process, and the export's zip."""

from __future__ import annotations

import io
import json
import zipfile

from muster.accounts.accounts import Role
from muster.api.deps import SESSION_COOKIE
from muster.web import verifying
from muster.web.session import csrf_of_session
from tests.e2e.api.conftest import Api


def post_verify(api: Api, accept: str = "text/html") -> object:
    api.client.cookies.clear()
    token = api.token(Role.AUDITOR)
    return api.client.post(
        "/ledger/verify",
        data={"csrf_token": csrf_of_session(token)},
        headers={"Cookie": f"{SESSION_COOKIE}={token}", "Accept": accept},
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
