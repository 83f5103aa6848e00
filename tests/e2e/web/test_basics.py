"""Every role's first steps in a real browser: log in, see who and where you are, switch the
language (remembered), log out (the session ends on the server too)."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.e2e.web.conftest import Demo, focused_on, log_in, new_page

WORDS = {
    "es": {"logout": "Cerrar sesión", "login": "Iniciar sesión", "officer": "Oficial de frontera"},
    "en": {"logout": "Log out", "login": "Log in", "officer": "Border officer"},
}


def fits(page: Any) -> bool:
    """Nothing wider than the screen: no sideways scrolling at this size."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_login_shows_the_role_and_post_in_the_browser_language(
    browser: Any, demo: Demo, language: str, viewport: dict[str, int]
) -> None:
    page = new_page(browser, demo, language, viewport)
    page.goto("/")
    assert page.url.endswith("/login")
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("button", name=WORDS[language]["login"]).is_visible()
    focused_on(page, "name")  # no click needed
    log_in(page, demo, "oficial")
    who = page.get_by_test_id("who")
    assert who.is_visible()
    assert "oficial" in who.inner_text()
    assert WORDS[language]["officer"] in who.inner_text()
    assert "SBOL" in who.inner_text()
    assert page.get_by_role("button", name=WORDS[language]["logout"]).is_visible()
    assert fits(page)
    assert page.console_errors == []


def test_a_wrong_password_is_said_in_the_page(browser: Any, demo: Demo) -> None:
    page = new_page(browser, demo, "es", {"width": 1366, "height": 768})
    page.goto("/login")
    page.fill("#name", "oficial")
    page.fill("#password", "not the password")
    page.keyboard.press("Enter")
    assert page.get_by_role("alert").inner_text() == "Nombre o contraseña incorrectos."
    assert page.input_value("#name") == "oficial"  # kept: only the password to type again


def test_the_language_chosen_is_remembered_over_the_browser_preference(
    browser: Any, demo: Demo
) -> None:
    page = new_page(browser, demo, "es", {"width": 1366, "height": 768})
    log_in(page, demo, "auditor")
    page.get_by_role("button", name="English").click()
    assert page.get_by_role("button", name="Log out").is_visible()
    page.get_by_role("button", name="Log out").click()
    assert page.url.endswith("/login")
    assert page.get_by_role("button", name="Log in").is_visible()  # still English
    log_in(page, demo, "auditor")
    page.get_by_role("button", name="Español").click()
    assert page.get_by_role("button", name="Cerrar sesión").is_visible()


def test_logout_ends_the_session_on_the_server(browser: Any, demo: Demo) -> None:
    page = new_page(browser, demo, "en", {"width": 1366, "height": 768})
    log_in(page, demo, "clerk")
    session = next(c["value"] for c in page.context.cookies() if c["name"] == "muster_session")
    page.get_by_role("button", name="Log out").click()
    page.goto("/home")
    assert "/login" in page.url
    asked = urllib.request.Request(
        f"{demo.url}/api/v1/me", headers={"Cookie": f"muster_session={session}"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(asked)
    assert refused.value.code == 401


def test_a_page_asked_for_before_login_is_shown_after_it(browser: Any, demo: Demo) -> None:
    page = new_page(browser, demo, "en", {"width": 1366, "height": 768})
    page.goto("/home")
    assert "/login?next=/home" in page.url  # asked to log in first, then sent back
    focused_on(page, "name")
    page.keyboard.type("oficial")
    page.keyboard.press("Tab")
    page.keyboard.type(demo.logins["oficial"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")


def test_no_script_runs_from_the_page_itself(browser: Any, demo: Demo) -> None:
    page = new_page(browser, demo, "en", {"width": 1366, "height": 768})
    answer = page.goto("/login")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    inline = page.evaluate(
        "[...document.scripts].filter(s => !s.src && s.type !== 'application/json').length"
    )
    assert inline == 0
