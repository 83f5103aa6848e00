"""Schemathesis with every check (`--checks all`) over every route of a live `muster serve`,
with a token of each role: any finding fails the test.

The server is a real one, on a demo registry, reached over loopback by schemathesis's own
command line, so that what is checked is what a client meets: the document the server
serves, the statuses, headers and bodies it answers. Each run is bounded (`--max-examples`);
the six, three at a time, took 2 min 20 s on a 2-core machine busy with other tests.

What is configured away is listed in `NARROWED`, each with why; nothing else is.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.cli_helpers import Cli
from tests.e2e.test_serve import free_port, wait_ready

# The demo's accounts, one of each role.
ACCOUNTS = {
    "admin": "admin",
    "clerk": "clerk",
    "authority": "comandante",
    "officer": "oficial",
    "supervisor": "supervisor",
    "auditor": "auditor",
}
MAX_EXAMPLES = 3
LOGOUT = "/api/v1/auth/logout"

# Checks narrowed for one operation, each with the reason it is not a defect. Schemathesis's
# positive-data check expects a schema-valid request to succeed, or to be refused for
# credentials or state (401, 403, 404, 409); these operations refuse some schema-valid
# requests with 400, for what JSON Schema cannot say.
POSITIVE = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis's default
NARROWED: list[tuple[str, str, dict[str, list[str]], str]] = [
    (
        "POST",
        "/api/v1/screenings",
        {"positive_data_acceptance": [*POSITIVE, "400"]},
        "a zone's check digits, and whether a typed birth date is a day of the calendar "
        "(31/02/1990), are checked by reading them: no pattern says them (400, with what failed)",
    ),
    (
        "POST",
        "/api/v1/orders/drafts",
        {"positive_data_acceptance": [*POSITIVE, "400"]},
        "an order is checked against the day it is recorded (not signed in the future), its "
        "kind's fields and its directive's rules as a whole; each problem is named (400)",
    ),
    (
        "GET",
        "/api/v1/ledger/proofs/consistency",
        {"positive_data_acceptance": [*POSITIVE, "422"]},
        "old_size must not exceed new_size: JSON Schema cannot compare two parameters (422)",
    ),
]

# Who the admin's run may disable: the account named in the path, not one of those the other
# runs use (schemathesis takes names from the answers of `GET /users`), which would turn the
# rest of their runs into 401s. Every other parameter of every operation is generated.
DISABLE_ME = "disable-me"
PINNED = [("POST", "/api/v1/users/{name}/disable", {"path.name": DISABLE_ME})]


def config_toml(logout_token: str) -> str:
    # Logging out revokes the token used: logout gets a token of its own, made for it.
    lines = ["[[operations]]", f'include-path = "{LOGOUT}"']
    lines += [f'headers = {{ Authorization = "Bearer {logout_token}" }}', ""]
    for _method, path, checks, _why in NARROWED:
        # The path alone: schemathesis joins `include-*` filters with "or".
        lines += ["[[operations]]", f'include-path = "{path}"']
        for check, statuses in checks.items():
            quoted = ", ".join(f'"{s}"' for s in statuses)
            lines.append(f"checks.{check}.expected-statuses = [{quoted}]")
        lines.append("")
    for _method, path, parameters in PINNED:
        lines += ["[[operations]]", f'include-path = "{path}"']
        lines += [f'parameters."{k}" = "{v}"' for k, v in parameters.items()]
        lines.append("")
    return "\n".join(lines)


@dataclass
class Served:
    base: str
    cli: Cli
    workdir: Path

    def token(self, account: str) -> str:
        out = self.cli.run("token", "create", account).stdout
        return out.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    workdir = tmp_path_factory.mktemp("schemathesis")
    cli = Cli(workdir)
    cli.json("demo", "--size", "300", "--seed", "5", "--no-serve")
    password = {"MUSTER_USER_PASSWORD": "a long enough password"}
    cli.run("user", "add", DISABLE_ME, "--role", "auditor", env=password)
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    cli.env["MUSTER_SCREENING_DATE"] = "2019-03-15"  # the demo is set in early 2019
    server = cli.popen("serve", "--port", str(port))
    try:
        wait_ready(base)
        yield Served(base, cli, workdir)
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=60)


def schemathesis(served: Served, account: str) -> subprocess.CompletedProcess[str]:
    """One schemathesis run with every check over every route, with a token of `account`;
    its exit code is non-zero on any finding."""
    config = served.workdir / f"schemathesis-{account}.toml"
    config.write_text(config_toml(served.token(account)))
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        f"{served.base}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "20191221",
        "--header",
        f"Authorization: Bearer {served.token(account)}",
        "--no-color",
        # A failed login costs the server an argon2 hash (most of a second here), and the
        # runs at once queue them up.
        "--request-timeout",
        "60",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": ""}
    return subprocess.run(  # in the temporary folder, where it keeps its cache
        command,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        stdin=subprocess.DEVNULL,
        cwd=served.workdir,
    )


def run_role(served: Served, account: str, operations: int) -> str | None:
    """Every route with a token of one account: None if clean, else what was found."""
    done = schemathesis(served, account)
    if done.returncode != 0 or f"Tested: {operations}" not in done.stdout:
        return f"{account}:\n{done.stdout[-15_000:]}{done.stderr[-3_000:]}"
    return None


@pytest.mark.slow
def test_every_check_passes_with_each_role(served: Served) -> None:
    import json
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    with urllib.request.urlopen(f"{served.base}/openapi.json", timeout=30) as answer:
        paths = json.load(answer)["paths"]
    operations = sum(len(ops) for ops in paths.values())
    # Three runs at a time: more would queue the argon2 hashes of failed logins past the
    # response-time check.
    with ThreadPoolExecutor(max_workers=3) as pool:
        found = list(pool.map(lambda a: run_role(served, a, operations), ACCOUNTS.values()))
    failures = [f for f in found if f is not None]
    assert not failures, "\n\n".join(failures)
