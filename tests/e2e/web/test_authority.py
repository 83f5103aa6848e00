"""The authority reviews and signs a draft in a real browser, in Spanish and in English, at a
counter's and at a tablet's size: a draft made through the API by the demo's clerk is shown
with its counts before and after, signed in the page with the key file the demo wrote (the
key decrypted in the browser: only the signature is sent), and the order then shows in the
person's history. A wrong passphrase, another authority's key and a signature that does not
verify are said in the page; the command line's signature is accepted as an upload."""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from muster.demo.scenario import DEMO_PASSPHRASE
from tests.e2e.cli_helpers import muster_executable
from tests.e2e.web.conftest import VIEWPORTS, Demo, log_in, new_page

KEYS = "muster-demo-keys"  # where `muster demo` writes the authorities' key files
WORDS = {
    "es": {
        "drafts": "Borradores por firmar",
        "ok": "Si se firma ahora, el registro asentaría esta orden.",
        "active": "activo",
        "absent": "ausente sin permiso",
        "status": "Por estado",
        "key_file": "Archivo de clave de CG-GNB (.pem)",
        "passphrase": "Frase de contraseña del archivo de clave",
        "sign": "Firmar y registrar la orden",
        "recorded": "Firmada y registrada en el libro mayor",
        "wrong_passphrase": "La frase de contraseña no corresponde a este archivo de clave",
        "other_key": "no es una clave activa de CG-GNB",
        "bad_signature": "La firma no se verifica",
        "next": "Página siguiente",
        "page_2": "Página 2 de 2",
        "refused": "Si se firma ahora, el registro rechazaría esta orden",
        "elsewhere": "Firmar con la línea de comandos",
        "download": "Descargar el borrador",
        "upload": "El archivo de firma que escribió (signature.json)",
        "record": "Registrar con esta firma",
    },
    "en": {
        "drafts": "Drafts to sign",
        "ok": "If signed now, the registry would record this order.",
        "active": "active",
        "absent": "absent without leave",
        "status": "By status",
        "key_file": "Key file of CG-GNB (.pem)",
        "passphrase": "Passphrase of the key file",
        "sign": "Sign and record order",
        "recorded": "Signed and recorded in the ledger",
        "wrong_passphrase": "The passphrase is wrong for this key file",
        "other_key": "is not an active key of CG-GNB",
        "bad_signature": "The signature does not verify",
        "next": "Next page",
        "page_2": "Page 2 of 2",
        "refused": "If signed now, the registry would refuse this order",
        "elsewhere": "Sign with the command line instead",
        "download": "Download the draft",
        "upload": "The signature file it wrote (signature.json)",
        "record": "Record with this signature",
    },
}
_given: set[str] = set()  # members already used by a test of this session


def call(demo: Demo, method: str, path: str, token: str | None, body: Any = None) -> Any:
    """One request to the demo's API; the JSON it answers (raises on an error status)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    asked = urllib.request.Request(f"{demo.url}/api/v1{path}", data, headers, method=method)
    with urllib.request.urlopen(asked, timeout=30) as answer:
        return json.loads(answer.read())


def token_of(demo: Demo, name: str) -> str:
    body = {"name": name, "password": demo.logins[name]}
    token: str = call(demo, "POST", "/auth/login", None, body)["token"]
    return token


def members(demo: Demo, count: int) -> list[str]:
    """Serial numbers of active GNB members that no order but their enlistment names, none
    of them given to an earlier test: CG-GNB's to report absent or strike off."""
    with closing(sqlite3.connect(f"file:{demo.workdir / 'muster.db'}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT serial_number FROM roll WHERE component = 'GNB' AND status = 'active' "
            "AND category = 'active' AND person_id NOT IN (SELECT person_id FROM order_subjects) "
            "ORDER BY person_id DESC"
        ).fetchall()
    found = [r[0] for r in rows if r[0] not in _given][:count]
    assert len(found) == count, "the demo has too few active GNB members for these tests"
    _given.update(found)
    return found


def draft(demo: Demo, kind: str, refs: list[str]) -> dict[str, Any]:
    """A draft of CG-GNB's made through the API by the demo's clerk."""
    body = {
        "kind": kind,
        "number": f"CG-GNB-WEB-{uuid.uuid4().hex[:8].upper()}",
        "authority": "CG-GNB",
        "signed_on": "2019-03-14",
        "grounds": "Abandono del servicio sin permiso",
        "subjects": refs,
    }
    made: dict[str, Any] = call(demo, "POST", "/orders/drafts", token_of(demo, "clerk"), body)
    made["number"] = body["number"]
    return made


def person(demo: Demo, ref: str) -> dict[str, Any]:
    found: dict[str, Any] = call(
        demo, "GET", f"/persons/{urllib.parse.quote(ref)}", token_of(demo, "clerk")
    )
    return found


def open_review(page: Any, demo: Demo, language: str, made: dict[str, Any]) -> None:
    """Log in as the commander, who lands on the drafts to sign, and open the draft."""
    log_in(page, demo, "comandante")
    assert page.get_by_role("heading", name=WORDS[language]["drafts"]).is_visible()
    page.get_by_role("link", name=made["number"]).click()
    page.wait_for_url(f"**/drafts/{made['draft_id']}")


def cells(table: Any, value: str) -> list[str]:
    """The counts of one row of a count table: before, after, change."""
    row = table.get_by_role("row").filter(has=table.page.get_by_role("rowheader", name=value))
    return [c.strip() for c in row.get_by_role("cell").all_inner_texts()]


def sign_in_page(page: Any, demo: Demo, language: str, key: str, passphrase: str) -> None:
    page.get_by_label(WORDS[language]["key_file"]).set_input_files(demo.workdir / KEYS / key)
    page.get_by_label(WORDS[language]["passphrase"]).press_sequentially(passphrase)
    page.get_by_role("button", name=WORDS[language]["sign"]).click()


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_the_authority_reviews_and_signs_a_draft_and_it_shows_in_the_history(
    browser: Any, demo: Demo, language: str, viewport: dict[str, int]
) -> None:
    (serial,) = members(demo, 1)
    made = draft(demo, "absence", [serial])
    page = new_page(browser, demo, language, viewport)
    open_review(page, demo, language, made)
    w = WORDS[language]
    assert w["ok"] in page.get_by_test_id("verdict").inner_text()
    status = page.get_by_role("table", name=w["status"])
    assert cells(status, w["active"]) == ["1", "0", "-1"]
    assert cells(status, w["absent"]) == ["0", "1", "+1"]
    subject = page.get_by_role("row").filter(has_text=serial)
    assert f"{w['active']} → {w['absent']}" in subject.inner_text()
    assert fits(page)
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/sign")) as sent:
        sign_in_page(page, demo, language, "CG-GNB.pem", DEMO_PASSPHRASE)
    form = urllib.parse.parse_qs(sent.value.post_data)
    assert sorted(form) == ["csrf_token", "key", "signature"]  # no key file, no passphrase
    assert len(base64.b64decode(form["signature"][0])) == 64
    page.wait_for_url(f"**/drafts/{made['draft_id']}")
    assert w["recorded"] in page.get_by_test_id("verdict").inner_text()
    assert page.get_by_role("link", name=serial).is_visible()
    history = person(demo, serial)
    assert history["status"] == "absent"
    assert history["history"][-1]["order"] == made["number"]
    assert page.console_errors == []


def test_a_wrong_passphrase_is_said_and_nothing_is_sent(browser: Any, demo: Demo) -> None:
    made = draft(demo, "absence", members(demo, 1))
    page = new_page(browser, demo, "es", VIEWPORTS["counter"])
    open_review(page, demo, "es", made)
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    sign_in_page(page, demo, "es", "CG-GNB.pem", "not the passphrase")
    assert WORDS["es"]["wrong_passphrase"] in page.get_by_role("alert").inner_text()
    assert posted == []
    assert page.get_by_label(WORDS["es"]["passphrase"]).is_visible()  # to try again


def test_a_key_of_another_authority_is_said_and_nothing_is_sent(browser: Any, demo: Demo) -> None:
    made = draft(demo, "absence", members(demo, 1))
    page = new_page(browser, demo, "en", VIEWPORTS["counter"])
    open_review(page, demo, "en", made)
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    sign_in_page(page, demo, "en", "MPPD.pem", DEMO_PASSPHRASE)  # the ministry's key
    assert WORDS["en"]["other_key"] in page.get_by_role("alert").inner_text()
    assert posted == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_signature_that_does_not_verify_is_refused_in_words(
    browser: Any, demo: Demo, language: str
) -> None:
    (serial,) = members(demo, 1)
    made = draft(demo, "absence", [serial])
    page = new_page(browser, demo, language, VIEWPORTS["counter"])
    open_review(page, demo, language, made)

    def tamper(route: Any) -> None:  # a signature altered on its way to the server
        form = urllib.parse.parse_qs(route.request.post_data)
        signature = bytearray(base64.b64decode(form["signature"][0]))
        signature[0] ^= 1
        form["signature"] = [base64.b64encode(bytes(signature)).decode()]
        route.continue_(post_data=urllib.parse.urlencode(form, doseq=True))

    page.route("**/sign", tamper)
    sign_in_page(page, demo, language, "CG-GNB.pem", DEMO_PASSPHRASE)
    assert WORDS[language]["bad_signature"] in page.get_by_role("alert").first.inner_text()
    assert person(demo, serial)["status"] == "active"  # nothing recorded


def test_a_key_file_encrypted_otherwise_is_read_too_and_a_plain_one_refused(
    browser: Any, demo: Demo, tmp_path: Path
) -> None:
    """PBES2 as other tools write it: AES-128-CBC, and PBKDF2 with its default HMAC-SHA-1
    (the parameters then name no hash); an unencrypted key is refused in words."""
    demo_key = demo.workdir / KEYS / "CG-GNB.pem"
    openssl = ["openssl", "pkcs8", "-topk8", "-in", str(demo_key), "-passin", "env:OLD"]
    env = {"OLD": DEMO_PASSPHRASE, "NEW": "otra frase, ñandú", "PATH": "/usr/bin:/bin"}
    other = tmp_path / "CG-GNB-aes128.pem"
    plain = tmp_path / "CG-GNB-plain.pem"
    for extra, out in (
        (["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1", "-passout", "env:NEW"], other),
        (["-nocrypt"], plain),
    ):
        subprocess.run([*openssl, *extra, "-out", str(out)], env=env, check=True, timeout=60)
    (serial,) = members(demo, 1)
    made = draft(demo, "absence", [serial])
    page = new_page(browser, demo, "en", VIEWPORTS["counter"])
    open_review(page, demo, "en", made)
    page.get_by_label(WORDS["en"]["key_file"]).set_input_files(plain)
    page.get_by_label(WORDS["en"]["passphrase"]).fill("anything")
    page.get_by_role("button", name=WORDS["en"]["sign"]).click()
    assert "is not encrypted" in page.get_by_role("alert").inner_text()
    page.get_by_label(WORDS["en"]["key_file"]).set_input_files(other)
    page.get_by_label(WORDS["en"]["passphrase"]).fill(env["NEW"])
    page.get_by_role("button", name=WORDS["en"]["sign"]).click()
    page.get_by_test_id("verdict").filter(has_text=WORDS["en"]["recorded"]).wait_for()
    assert person(demo, serial)["history"][-1]["order"] == made["number"]


def test_a_signature_made_with_the_command_line_is_uploaded(
    browser: Any, demo: Demo, tmp_path: Path
) -> None:
    (serial,) = members(demo, 1)
    made = draft(demo, "absence", [serial])
    w = WORDS["en"]
    page = new_page(browser, demo, "en", VIEWPORTS["tablet"])
    open_review(page, demo, "en", made)
    page.get_by_text(w["elsewhere"]).click()
    with page.expect_download() as download:
        page.get_by_role("link", name=w["download"]).click()
    draft_file = tmp_path / download.value.suggested_filename
    download.value.save_as(draft_file)
    signed = subprocess.run(
        [
            muster_executable(),
            "order",
            "sign",
            str(draft_file),
            "--key",
            str(demo.workdir / KEYS / "CG-GNB.pem"),
            "--out",
            str(tmp_path / "signature.json"),
        ],
        env={**demo.env, "MUSTER_KEY_PASSPHRASE": DEMO_PASSPHRASE},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert signed.returncode == 0, signed.stderr
    page.get_by_label(w["upload"]).set_input_files(tmp_path / "signature.json")
    page.get_by_role("button", name=w["record"]).click()
    page.wait_for_url(f"**/drafts/{made['draft_id']}")
    assert w["recorded"] in page.get_by_test_id("verdict").inner_text()
    assert person(demo, serial)["history"][-1]["order"] == made["number"]


def test_a_draft_the_rules_refuse_shows_why_and_offers_no_signing(browser: Any, demo: Demo) -> None:
    (serial,) = members(demo, 1)
    made = draft(demo, "strike-off", [serial])  # active, not absent: a strike-off is refused
    page = new_page(browser, demo, "en", VIEWPORTS["counter"])
    open_review(page, demo, "en", made)
    verdict = page.get_by_test_id("verdict").inner_text()
    assert WORDS["en"]["refused"] in verdict
    assert serial in verdict and "active" in verdict
    assert page.get_by_role("button", name=WORDS["en"]["sign"]).count() == 0


def test_thousands_of_subjects_come_a_page_at_a_time(browser: Any, demo: Demo) -> None:
    refs = members(demo, 130)
    made = draft(demo, "absence", refs)
    page = new_page(browser, demo, "es", VIEWPORTS["tablet"])
    open_review(page, demo, "es", made)
    status = page.get_by_role("table", name=WORDS["es"]["status"])
    assert cells(status, WORDS["es"]["absent"]) == ["0", "130", "+130"]
    assert page.get_by_role("cell", name=refs[0], exact=True).is_visible()
    assert page.get_by_role("cell", name=refs[120], exact=True).count() == 0
    page.get_by_role("link", name=WORDS["es"]["next"]).focus()
    page.keyboard.press("Enter")
    page.get_by_text(WORDS["es"]["page_2"]).wait_for()  # the next page, put in place
    assert page.get_by_role("cell", name=refs[120], exact=True).is_visible()
    assert page.get_by_role("cell", name=refs[0], exact=True).count() == 0
    assert "page=1" in page.url
