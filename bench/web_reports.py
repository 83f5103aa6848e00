"""Reports benchmark: the time to render each report "as of" a day, over HTTP, on a demo
registry.

    python -m bench.web_reports --size 2000000 [--database demo.db] [--runs 5]
        [--crossings 2000] [--doc docs/benchmarks.md]

Builds the demo registry with `muster demo --size N` in a temporary directory, or uses the one
in `--database` (building it there if missing); serves it with `muster serve` (the demo's day,
2019-03-15); screens `--crossings` travelers through the API as the demo's officer (the
demo's examples and people not on the roll) and resolves a third of the referrals as its
supervisor, so that the crossing reports have figures; then, logged in as the demo's auditor
(who sees every report), GETs the reports page and each CSV as of two days: before the
strike-off (2018-12-20) and the demo's day (2019-03-15, on which its screenings are stamped).
One round first, not counted; then medians of `--runs` rounds. Results go to
docs/benchmarks.md (section "web-reports").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.machine import describe, replace_section
from bench.screening import free_port, stop_server
from muster.demo.scenario import DEMO_PASSPHRASE, demo_password

ROOT = Path(__file__).resolve().parent.parent
MUSTER = str(Path(sys.executable).parent / "muster")
DEMO_DAY = "2019-03-15"
BEFORE_STRIKE_OFF = "2018-12-20"
PAGES = ("page", "members", "changes", "crossings", "decisions", "referrals")
TARGET_S = 2.0
GIVEN = ("ANA", "LUIS", "MARÍA", "JOSÉ", "CARLOS", "YUSMARY", "PEDRO", "ROSA", "JUAN", "LUCÍA")
SURNAMES = ("GONZÁLEZ", "RODRÍGUEZ", "PÉREZ", "HERNÁNDEZ", "GARCÍA", "MARTÍNEZ", "LÓPEZ")


def environment(path: Path) -> dict[str, str]:
    """The commands' environment: the demo's database and none of the caller's settings (the
    demo is built on the real date: its orders of 2019 are signed after its day)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSTER_")}
    env["MUSTER_DATABASE_URL"] = f"sqlite:///{path}"
    return env


def build(path: Path, size: int, workdir: Path) -> tuple[dict[str, Any], float]:
    """`muster demo --no-serve --json` (which reuses a demo already there) and its seconds."""
    started = time.perf_counter()
    done = subprocess.run(
        [MUSTER, "demo", "--size", str(size), "--no-serve", "--json"],
        cwd=workdir,
        env=environment(path),
        capture_output=True,
        text=True,
        check=True,
    )
    shown: dict[str, Any] = json.loads(done.stdout)
    return shown, time.perf_counter() - started


def serve(path: Path, workdir: Path, port: int) -> subprocess.Popen[bytes]:
    """`muster serve` on loopback, once its health route answers 200 (the roll indexed)."""
    server = subprocess.Popen(
        [MUSTER, "serve", "--port", str(port)],
        cwd=workdir,
        env={
            **environment(path),
            "MUSTER_SCREENING_DATE": DEMO_DAY,  # as `muster demo` serves it
            "MUSTER_REGISTRY_PASSPHRASE": DEMO_PASSPHRASE,
        },
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 1800
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"muster serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5) as r:
                if r.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("muster serve never became ready")
        time.sleep(0.5)


def call(url: str, token: str | None = None, body: Any = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data, headers)) as answer:
        return json.loads(answer.read())


def log_in(base: str, name: str) -> str:
    answer = call(f"{base}/api/v1/auth/login", body={"name": name, "password": demo_password(name)})
    token: str = answer["token"]
    return token


def travelers(examples: dict[str, dict[str, str]], n: int) -> list[dict[str, Any]]:
    """The demo's example people (refer, deny, authorized…) and people not on the roll."""
    rng = random.Random(2019)
    known = []
    for person in examples.values():
        words = person["name"].split()  # given names, then (usually two) surnames
        given, surnames = " ".join(words[:-2]) or words[0], " ".join(words[-2:])
        known.append(
            {"given_names": given, "surnames": surnames, "national_id": person["national_id"]}
        )
    found: list[dict[str, Any]] = []
    for i in range(n):
        if known and i % 5 == 0:
            found.append(known[(i // 5) % len(known)])
            continue
        found.append(
            {
                "given_names": rng.choice(GIVEN),
                "surnames": f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}",
                "birth_date": f"{rng.randint(1950, 2000)}-{rng.randint(1, 12):02d}-"
                f"{rng.randint(1, 28):02d}",
            }
        )
    return found


def screen(base: str, examples: dict[str, dict[str, str]], n: int) -> tuple[int, int]:
    """Screen `n` travelers at the demo officer's post; resolve a third of the referrals as
    its supervisor. How many crossings and referrals were made."""
    if n <= 0:
        return 0, 0
    officer = log_in(base, "oficial")
    referred = []
    for i, identity in enumerate(travelers(examples, n)):
        body = {"post": "SBOL", "direction": "exit" if i % 3 else "entry", "identity": identity}
        answer = call(f"{base}/api/v1/screenings", officer, body)
        if answer["decision"] == "refer":
            referred.append(answer["crossing_id"])
    supervisor = log_in(base, "supervisor")
    for crossing in referred[::3]:
        body = {"outcome": "released", "note": "bench"}
        call(f"{base}/api/v1/referrals/{crossing}/resolution", supervisor, body)
    return n, len(referred)


def fetch(base: str, path: str, session: str) -> float:
    """The seconds to GET a page in full, with the session's cookie."""
    asked = urllib.request.Request(base + path, headers={"Cookie": f"muster_session={session}"})
    started = time.perf_counter()
    with urllib.request.urlopen(asked) as answer:
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"GET {path}: {answer.status}")
    return time.perf_counter() - started


def path_of(what: str, day: str) -> str:
    query = f"as_of={day}&days=30"
    return f"/reports?{query}" if what == "page" else f"/reports/{what}.csv?{query}"


def measure(base: str, days: list[str], runs: int) -> dict[tuple[str, str], list[float]]:
    """Each report as of each day: one round first, not counted, then `runs` rounds."""
    session = log_in(base, "auditor")
    times: dict[tuple[str, str], list[float]] = {(d, w): [] for d in days for w in PAGES}
    for round_ in range(runs + 1):
        for day in days:
            for what in PAGES:
                took = fetch(base, path_of(what, day), session)
                if round_:
                    times[(day, what)].append(took)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--crossings", type=int, default=2000)
    parser.add_argument(
        "--database", type=Path, help="SQLite file holding the demo (built there if missing)"
    )
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    days = [BEFORE_STRIKE_OFF, DEMO_DAY]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = args.database.resolve() if args.database else workdir / "demo.db"
        shown, built_s = build(path, args.size, workdir)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = serve(path, workdir, port)
        try:
            made, referred = screen(base, shown["examples"], args.crossings)
            times = measure(base, days, args.runs)
        finally:
            stop_server(server)
    command = f"python -m bench.web_reports --size {args.size}"
    if args.runs != 5:
        command += f" --runs {args.runs}"
    if args.crossings != 2000:
        command += f" --crossings {args.crossings}"
    medians = {k: statistics.median(v) for k, v in times.items()}
    worst = max(medians.values())
    lines = [
        "## Web reports",
        "",
        f"Demo registry of {shown['size']:,} people (SQLite; built or reused in {built_s:.0f} "
        f"s), served by `muster serve` (one process) on loopback, the demo's day {DEMO_DAY} "
        "(its screenings are stamped at noon UTC that day). "
        f"{made:,} travelers screened first through the API at SBOL ({referred:,} "
        "referred, a third of those resolved), so that the crossing reports have figures. "
        "Each figure: the seconds from sending `GET` to the last byte of the answer, logged "
        f"in as the demo's auditor (every report), median of {args.runs} rounds after one "
        "round not counted; crossings over the 30 days to each day.",
        f"Machine: {describe()}; load average (1 min) {load_before:.1f} when the run began. "
        f"Command: `{command}`.",
        "",
        "| as of | page (s) | members CSV (s) | changes CSV (s) | crossings CSV (s) "
        "| decisions CSV (s) | referrals CSV (s) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for day in days:
        cells = " | ".join(f"{medians[(day, w)]:.3f}" for w in PAGES)
        lines.append(f"| {day} | {cells} |")
    lines += [
        "",
        f"- Target (issue 12): each report as of a day in under {TARGET_S:.0f} s on a "
        f"2,000,000-person registry. Slowest median here: {worst:.3f} s ("
        + ("within it" if worst < TARGET_S else "over it")
        + f", on {shown['size']:,} people).",
    ]
    replace_section(args.doc, "web-reports", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
