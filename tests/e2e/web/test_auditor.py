"""The auditor in a real browser, in Spanish and English: lands on the ledger's status,
verifies the ledger now (its progress shown, then the result), and downloads an inclusion
proof, a consistency proof and the export, each of which `muster verify` then accepts."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

from tests.e2e.cli_helpers import muster_executable
from tests.e2e.web.conftest import Demo, log_in, new_page
from tests.e2e.web.test_basics import fits

COUNTER = {"width": 1366, "height": 768}
STRIKE_OFF = "CG-GNB-OA-2018-12-21"  # the demo's strike-off of the deserters
WORDS = {
    "es": {
        "ledger": "Libro mayor",
        "checkpoint": "Último punto de control firmado",
        "key": "Clave de verificación del registro",
        "verify": "Verificar el libro mayor ahora",
        "verifies": "El libro mayor se verifica",
        "done": "hecho",
        "people": "3.000",
        "proofs": "Pruebas",
        "order": "Número de orden",
        "entry": "o asiento del libro mayor (su posición, desde 0)",
        "make": "Generar la prueba de inclusión",
        "included": f"El asiento {{}}, orden {STRIKE_OFF}, está en el libro mayor",
        "download proof": "Descargar la prueba (JSON)",
        "download key": "Descargar la clave (registry.vkey)",
        "export": "Descargar la exportación (.zip)",
        "old size": "Tamaño anterior del árbol",
        "consistent": "El libro mayor de tamaño 5 es el comienzo del libro mayor de tamaño",
        "make consistency": "Generar la prueba de consistencia",
        "no order": "No hay ninguna orden número «NO-EXISTE-1» registrada.",
        "entry range": "Un asiento del libro mayor es un número entero de 0 a",
    },
    "en": {
        "ledger": "Ledger",
        "checkpoint": "Latest signed checkpoint",
        "key": "The registry's verifier key",
        "verify": "Verify the ledger now",
        "verifies": "The ledger verifies",
        "done": "done",
        "people": "3,000",
        "proofs": "Proofs",
        "order": "Order number",
        "entry": "or ledger entry (its position, from 0)",
        "make": "Make the inclusion proof",
        "included": f"Ledger entry {{}}, order {STRIKE_OFF}, is in the ledger",
        "download proof": "Download the proof (JSON)",
        "download key": "Download the key (registry.vkey)",
        "export": "Download the export (.zip)",
        "old size": "Older tree size",
        "consistent": "The ledger at size 5 is the beginning of the ledger at size",
        "make consistency": "Make the consistency proof",
        "no order": "No order numbered “NO-EXISTE-1” is recorded in this registry.",
        "entry range": "A ledger entry is a whole number from 0 to",
    },
}


def muster(demo: Demo, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed `muster`, as an auditor runs it on the files downloaded."""
    return subprocess.run(
        [muster_executable(), *args],
        cwd=demo.workdir,
        env=demo.env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def saved(page: Any, link_name: str, folder: Path) -> Path:
    """Click a download link and keep the file under the name the server gave it."""
    with page.expect_download() as started:
        page.get_by_role("link", name=link_name).click()
    got = started.value
    path = folder / got.suggested_filename
    got.save_as(path)
    return path


def auditor_page(browser: Any, demo: Demo, language: str, viewport: dict[str, int]) -> Any:
    page = new_page(browser, demo, language, viewport)
    log_in(page, demo, "auditor")
    page.wait_for_url("**/ledger")  # the auditor's landing page
    return page


def test_the_auditor_lands_on_the_ledgers_status(
    browser: Any, demo: Demo, language: str, viewport: dict[str, int]
) -> None:
    w = WORDS[language]
    page = auditor_page(browser, demo, language, viewport)
    assert page.get_by_role("heading", name=w["ledger"], exact=True).is_visible()
    size = page.get_by_test_id("tree-size").inner_text()
    checkpoint = page.get_by_test_id("checkpoint").inner_text()
    lines = checkpoint.splitlines()
    # A C2SP checkpoint: origin, tree size, root hash, a blank line, the signature line(s).
    assert lines[1] == size.split()[0].replace(".", "").replace(",", "")
    assert lines[3] == "" and lines[4].startswith("— " + lines[0])
    assert page.get_by_role("heading", name=w["checkpoint"]).is_visible()
    assert page.get_by_role("heading", name=w["key"]).is_visible()
    assert page.get_by_test_id("verifier-key").inner_text().startswith(lines[0] + "+")
    assert page.get_by_role("button", name=w["verify"]).is_visible()
    assert fits(page)
    assert page.console_errors == []


def test_the_auditor_verifies_the_ledger_and_follows_its_progress(
    browser: Any, demo: Demo, language: str
) -> None:
    w = WORDS[language]
    page = auditor_page(browser, demo, language, COUNTER)
    # Every value the progress bar takes, as the page sets it.
    page.evaluate(
        """() => {
          window.barValues = [];
          const bar = document.getElementById("verify-bar");
          new MutationObserver(() => window.barValues.push(Number(bar.getAttribute("value"))))
            .observe(bar, { attributes: true, attributeFilter: ["value"] });
        }"""
    )
    page.get_by_role("button", name=w["verify"]).focus()
    page.keyboard.press("Enter")  # the keyboard alone
    verdict = page.get_by_test_id("verify-verdict")
    verdict.wait_for()
    assert w["verifies"] in verdict.inner_text()
    assert page.get_by_role("progressbar").get_attribute("value") == "100"
    stages = page.locator("#verify-stages li")
    assert stages.count() == 6
    for i in range(6):
        assert stages.nth(i).locator(".state").inner_text() == w["done"]
    values = page.evaluate("window.barValues")
    assert values == sorted(values) and values[-1] == 100
    assert any(0 < v < 100 for v in values), values  # steps shown on the way, not only the end
    result = page.locator("#verify-outcome").inner_text()
    assert w["people"] in result  # the demo's 3,000 people, rebuilt from the orders
    assert page.evaluate("document.activeElement.id") == "verify-outcome"  # read out at once
    assert page.console_errors == []


def test_the_auditor_downloads_an_inclusion_proof_that_muster_verify_accepts(
    browser: Any, demo: Demo, language: str, tmp_path: Path
) -> None:
    w = WORDS[language]
    page = auditor_page(browser, demo, language, COUNTER)
    key = saved(page, w["download key"], tmp_path)
    page.get_by_role("link", name=w["proofs"], exact=True).click()
    page.get_by_label(w["order"]).fill(STRIKE_OFF)
    page.get_by_label(w["order"]).press("Enter")
    heading = page.get_by_role("heading", level=2).filter(has_text=STRIKE_OFF)
    entry = int(re.findall(r"\d+", heading.inner_text())[0])
    assert heading.inner_text() == w["included"].format(entry)
    proof = saved(page, w["download proof"], tmp_path)
    assert proof.name == f"proof-order-{STRIKE_OFF}.json"
    checked = muster(demo, "verify", "--proof", str(proof), "--key", str(key))
    assert checked.returncode == 0, checked.stderr
    assert f"inclusion proof holds: entry {entry} " in checked.stdout
    assert page.console_errors == []


def test_a_consistency_proof_is_shown_and_downloaded_and_muster_verify_accepts_it(
    browser: Any, demo: Demo, language: str, tmp_path: Path
) -> None:
    w = WORDS[language]
    page = auditor_page(browser, demo, language, COUNTER)
    key = saved(page, w["download key"], tmp_path)
    page.goto("/ledger/proofs")
    page.get_by_label(w["old size"]).fill("5")
    page.get_by_role("button", name=w["make consistency"]).click()
    assert page.get_by_role("heading", name=w["consistent"]).is_visible()
    proof = saved(page, w["download proof"], tmp_path)
    checked = muster(demo, "verify", "--proof", str(proof), "--key", str(key))
    assert checked.returncode == 0, checked.stderr
    assert "consistency proof holds: the log at size 5 " in checked.stdout


def test_a_proof_asked_for_wrongly_says_which_field_and_why(
    browser: Any, demo: Demo, language: str
) -> None:
    w = WORDS[language]
    page = auditor_page(browser, demo, language, COUNTER)
    page.goto("/ledger/proofs")
    page.get_by_label(w["order"]).fill("NO-EXISTE-1")
    page.get_by_role("button", name=w["make"]).click()
    summary = page.get_by_role("alert")
    assert summary.get_by_role("link", name=w["no order"]).is_visible()
    assert page.get_by_label(w["order"]).input_value() == "NO-EXISTE-1"  # kept to correct
    page.get_by_label(w["order"]).fill("")
    page.get_by_label(w["entry"]).fill("999999")
    page.get_by_label(w["entry"]).press("Enter")
    assert w["entry range"] in page.get_by_role("alert").inner_text()
    assert page.get_by_label(w["entry"]).get_attribute("aria-invalid") == "true"


def test_the_auditor_downloads_the_export_that_muster_verify_from_accepts(
    browser: Any, demo: Demo, tmp_path: Path
) -> None:
    w = WORDS["en"]
    page = auditor_page(browser, demo, "en", COUNTER)
    key = saved(page, w["download key"], tmp_path)
    export = saved(page, w["export"], tmp_path)
    assert export.suffix == ".zip"
    with zipfile.ZipFile(export) as archive:
        archive.extractall(tmp_path / "unpacked")
    (folder,) = (tmp_path / "unpacked").iterdir()
    assert folder.name == export.stem
    checked = muster(demo, "verify", "--from", str(folder), "--key", str(key))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("all holds: tree size ")
    assert "trusted: the key given with --key" in checked.stdout


def test_every_newest_entry_links_to_its_inclusion_proof(browser: Any, demo: Demo) -> None:
    page = auditor_page(browser, demo, "es", COUNTER)
    page.get_by_role("link", name="Asientos más recientes").click()
    table = page.get_by_role("table")
    assert table.get_by_role("columnheader", name="Asiento").is_visible()
    newest = table.get_by_role("row").nth(1)  # the first after the header
    entry = newest.get_by_role("cell").first.inner_text()
    newest.get_by_role("link", name=f"Prueba de inclusión del asiento {entry}").click()
    assert page.get_by_role(
        "heading", name=f"El asiento {entry} está en el libro mayor"
    ).is_visible()
