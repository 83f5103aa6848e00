"""An upload's size is bounded: a roll file over `MUSTER_MAX_UPLOAD_BYTES` is refused before
it is read, and the page says so in words; one within it is checked and becomes a draft."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from muster.accounts.accounts import Role
from muster.api.app import create_app
from muster.api.deps import SESSION_COOKIE
from muster.config import Settings
from muster.web.session import csrf_of_session
from tests.e2e.api.conftest import Api, wait_ready
from tests.e2e.web.conftest import Demo, log_in, new_page
from tests.factories import PASSPHRASE, csv_text, roll_rows

LIMIT = 4_000


@pytest.fixture
def small(api: Api, tmp_path: Path) -> Iterator[TestClient]:
    """The API's registry served with a small upload limit."""
    settings = Settings(
        database_url=api.engine.url.render_as_string(hide_password=False),
        registry_passphrase=PASSPHRASE,  # type: ignore[arg-type]
        max_upload_bytes=LIMIT,
        import_dir=tmp_path / "imports",
    )
    with TestClient(create_app(settings)) as client:
        yield wait_ready(client)


def send(client: TestClient, api: Api, data: bytes) -> Any:
    token = api.token(Role.CLERK)
    return client.post(
        "/imports",
        headers={"Cookie": f"{SESSION_COOKIE}={token}", "HX-Request": "true"},
        data={"csrf_token": csrf_of_session(token), "authority": "REG-GNB"},
        files={"file": ("roll.csv", data, "text/csv")},
        follow_redirects=False,
    )


def test_a_file_over_the_limit_is_refused_before_it_is_read(small: TestClient, api: Api) -> None:
    """413 before the file is read, as a page in the viewer's words with the limit written as
    the language writes numbers."""
    answer = send(small, api, csv_text(roll_rows(60, start=500)).encode())
    assert answer.status_code == 413
    assert "text/html" in answer.headers["content-type"]
    assert (
        "Lo enviado es más grande de lo que esta página admite (4.000 bytes como máximo, "
        "MUSTER_MAX_UPLOAD_BYTES)."
    ) in answer.text


def test_a_file_within_the_limit_is_checked_and_becomes_a_draft(
    small: TestClient, api: Api
) -> None:
    answer = send(small, api, csv_text(roll_rows(3, start=600)).encode())
    assert answer.status_code == 202, answer.text
    assert "check-progress" in answer.text
    job = answer.text.split('hx-get="/imports/', 1)[1].split('"', 1)[0]
    token = api.token(Role.CLERK)
    deadline = time.monotonic() + 30
    while True:
        shown = small.get(f"/imports/{job}", headers={"Cookie": f"{SESSION_COOKIE}={token}"})
        if 'data-state="checking"' not in shown.text or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert 'data-state="drafted"' in shown.text
    assert "ENL-REG-GNB-" in shown.text
    other = api.token(Role.AUTHORITY)  # another account does not see this clerk's check
    assert (
        small.get(f"/imports/{job}", headers={"Cookie": f"{SESSION_COOKIE}={other}"}).status_code
        == 404
    )


def test_the_page_says_in_words_that_a_file_is_too_large(browser: Any, demo: Demo) -> None:
    page = new_page(browser, demo, "es", {"width": 1366, "height": 768})
    log_in(page, demo, "clerk")
    page.goto("/imports")
    # the server's 413, as a file over the demo's 64 MiB would get it
    page.route("**/imports", lambda route: route.fulfill(status=413, body="{}"))
    page.set_input_files(
        "#file", files=[{"name": "r.csv", "mimeType": "text/csv", "buffer": b"serial_number\n"}]
    )
    page.get_by_role("button", name="Subir y revisar").click()
    expect(page.get_by_role("alert")).to_contain_text("El archivo es demasiado grande")
