"""The web interface in a real browser: Debian's Chromium driven by Playwright, against
`muster demo` serving a small demo registry (the same command a person runs)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.api.conftest import api  # noqa: F401 (the API's fixture, for page tests)
from tests.e2e.cli_helpers import muster_executable

CHROMIUM = os.environ.get("MUSTER_TEST_CHROMIUM", "/usr/bin/chromium")
# What the machine's closed network needs: no background connections, no first-run pages.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_SIZE = 3000
DEMO_SEED = 7
# The sizes the interface is made for: a counter's screen and a tablet held upright.
VIEWPORTS = {"counter": {"width": 1366, "height": 768}, "tablet": {"width": 820, "height": 1180}}
LOCALES = {"es": "es-VE", "en": "en-US"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Demo:
    """`muster demo` serving on loopback: its address, logins and example people."""

    url: str
    workdir: Path
    env: dict[str, str]
    logins: dict[str, str]
    examples: dict[str, dict[str, Any]]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    workdir = tmp_path_factory.mktemp("web-demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSTER_")}
    env["MUSTER_DATABASE_URL"] = f"sqlite:///{workdir / 'muster.db'}"
    muster = muster_executable()
    built = subprocess.run(
        [
            muster,
            "demo",
            "--size",
            str(DEMO_SIZE),
            "--seed",
            str(DEMO_SEED),
            "--no-serve",
            "--json",
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    shown = json.loads(built.stdout)
    port = free_port()
    log = (workdir / "server.log").open("wb")
    server = subprocess.Popen(
        [muster, "demo", "--size", str(DEMO_SIZE), "--seed", str(DEMO_SEED), "--port", str(port)],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        assert server.poll() is None, (workdir / "server.log").read_text()
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        assert time.monotonic() < deadline, "the demo server never became ready"
        time.sleep(0.1)
    try:
        yield Demo(url, workdir, env, shown["logins"], shown["examples"])
    finally:
        server.terminate()
        server.wait(30)
        log.close()


# One browser a test module: Playwright's sync API keeps an event loop running in this thread
# while it is open, and tests after the web tests call `asyncio.run`, which a running loop
# refuses.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    size: dict[str, int] = VIEWPORTS[request.param]
    return size


@pytest.fixture(params=sorted(LOCALES))
def language(request: pytest.FixtureRequest) -> str:
    code: str = request.param
    return code


def new_page(browser: Any, demo: Demo, language: str, viewport: dict[str, int]) -> Any:
    """A page in a fresh browser context (no cookies) whose browser prefers `language`."""
    context = browser.new_context(base_url=demo.url, locale=LOCALES[language], viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors  # checked by `log_in`'s callers where it matters
    return page


def log_in(page: Any, demo: Demo, name: str) -> None:
    """Log in through the login page, with the keyboard as a person would."""
    page.goto("/login")
    focused_on(page, "name")
    page.keyboard.type(name)  # the name field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(demo.logins[name])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/login" not in page.url, page.content()


def focused_on(page: Any, element_id: str) -> None:
    """Wait until the page has put the cursor in the element (autofocus comes with the first
    rendering, a moment after the page has loaded). Playwright's own wait: a function polled
    in the page would be refused by the page's Content-Security-Policy (no eval)."""
    from playwright.sync_api import expect

    expect(page.locator(f"#{element_id}")).to_be_focused()
