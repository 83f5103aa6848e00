"""Closing drafts in a real browser, in Spanish and in English: the demo's clerk drafts an
order, the commander declines it with a reason, and the clerk reads the reason on its own
list and on the draft's page, which offers no signing any more (the API refuses it with 409);
and the clerk withdraws a draft of its own."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.e2e.web.conftest import VIEWPORTS, Demo, log_in, new_page
from tests.e2e.web.test_authority import draft, members, open_review, token_of

WORDS = {
    "es": {
        "reason": "Motivo del rechazo",
        "decline": "Rechazar",
        "declined": "fue rechazado",
        "by_commander": "Rechazado por comandante",
        "own": "Sus borradores",
        "state_declined": "rechazado",
        "note": "Nota (opcional)",
        "withdraw": "Retirar",
        "withdrawn": "fue retirado",
        "why": "La fecha de efecto está errada",
    },
    "en": {
        "reason": "Reason for declining",
        "decline": "Decline",
        "declined": "was declined",
        "by_commander": "Declined by comandante",
        "own": "Your drafts",
        "state_declined": "declined",
        "note": "Note (optional)",
        "withdraw": "Withdraw",
        "withdrawn": "was withdrawn",
        "why": "The effective date is wrong",
    },
}


def sign_over_api(demo: Demo, draft_id: str) -> int:
    """The status `POST /api/v1/orders` answers the commander for a draft (any signature:
    a closed draft is refused before its signature is looked at)."""
    body = {"draft_id": draft_id, "signature": base64.b64encode(bytes(64)).decode(), "key": "0"}
    asked = urllib.request.Request(
        f"{demo.url}/api/v1/orders",
        json.dumps(body).encode(),
        {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token_of(demo, 'comandante')}",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(asked, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_authority_declines_and_the_clerk_reads_why(
    browser: Any, demo: Demo, language: str
) -> None:
    w = WORDS[language]
    made = draft(demo, "absence", members(demo, 1))
    commander = new_page(browser, demo, language, VIEWPORTS["counter"])
    open_review(commander, demo, language, made)
    commander.get_by_label(w["reason"]).fill(w["why"])
    commander.get_by_role("button", name=w["decline"], exact=True).click()
    commander.wait_for_url(f"**/drafts/{made['draft_id']}")
    assert w["declined"] in commander.get_by_role("heading", level=1).inner_text()
    assert commander.get_by_role("link", name=made["number"]).count() == 0
    commander.goto("/drafts")
    assert commander.get_by_role("link", name=made["number"]).count() == 0  # not awaiting

    clerk = new_page(browser, demo, language, VIEWPORTS["counter"])
    log_in(clerk, demo, "clerk")
    clerk.goto("/drafts")
    own = clerk.get_by_role("table", name=w["own"])
    row = own.get_by_role("row").filter(has_text=made["number"])
    assert w["state_declined"] in row.inner_text() and w["why"] in row.inner_text()
    row.get_by_role("link", name=made["number"]).click()
    clerk.wait_for_url(f"**/drafts/{made['draft_id']}")
    verdict = clerk.get_by_test_id("verdict").inner_text()
    assert w["by_commander"] in verdict and w["why"] in verdict
    assert clerk.get_by_role("button", name=w["withdraw"], exact=True).count() == 0
    assert clerk.locator("form[action$='/sign']").count() == 0
    assert sign_over_api(demo, made["draft_id"]) == 409
    assert commander.console_errors == [] and clerk.console_errors == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_clerk_withdraws_its_own_draft(browser: Any, demo: Demo, language: str) -> None:
    w = WORDS[language]
    made = draft(demo, "absence", members(demo, 1))
    clerk = new_page(browser, demo, language, VIEWPORTS["tablet"])
    log_in(clerk, demo, "clerk")
    clerk.goto(f"/drafts/{made['draft_id']}")
    clerk.get_by_label(w["note"]).fill("duplicado")
    clerk.get_by_role("button", name=w["withdraw"], exact=True).click()
    clerk.wait_for_url(f"**/drafts/{made['draft_id']}")
    assert w["withdrawn"] in clerk.get_by_role("heading", level=1).inner_text()
    assert "duplicado" in clerk.get_by_test_id("closed-note").inner_text()
    assert sign_over_api(demo, made["draft_id"]) == 409
    assert clerk.console_errors == []
