"""Screening benchmark: in-process decision latency and HTTP throughput on the demo registry.

    python -m bench.screening --size 200000 [--http-seconds 15] [--connections 8]

Builds the demo registry (synthetic, deterministic) in a temporary directory, then:
1. in process: `screen()` for a mix of travelers (deserters, absent members, authorised
   reservists, strangers), each decision recorded as a crossing, commit included; p50/p99;
2. over HTTP: `muster serve` on loopback and wrk (Debian package) posting screenings; the
   requests per second, latency percentiles, errors, and the CPU wrk itself used.
Identity is the exact lookup (cédula, or full name with birth date) until the name matcher is
wired in. Results go to docs/benchmarks.md (section "screening").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.machine import describe, replace_section

ROOT = Path(__file__).resolve().parent.parent
MUSTER = str(Path(sys.executable).parent / "muster")
DAY = datetime(2019, 3, 15, 12, tzinfo=UTC)
RUNS = 3  # wrk runs against the same server; medians reported


def travelers(engine: Any, n: int) -> list[dict[str, Any]]:
    """A mix of identities: people on the roll in every status, and strangers."""
    from muster.store.tables import roll

    rng = random.Random(5)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                roll.c.given_names,
                roll.c.surnames,
                roll.c.national_id,
                roll.c.birth_date,
                roll.c.status,
            )
        ).all()
    picked = rng.sample(rows, min(n, len(rows)))
    out = [
        {
            "given_names": r.given_names,
            "surnames": r.surnames,
            "national_id": r.national_id,
            "birth_date": str(r.birth_date),
        }
        for r in picked
    ]
    for i in range(n // 2):  # as many strangers as members
        out.append(
            {
                "given_names": "PERSONA",
                "surnames": f"DESCONOCIDA {i}",
                "national_id": f"V-{90_000_000 + i}",
                "birth_date": "1985-05-05",
            }
        )
    rng.shuffle(out)
    return out


def in_process(engine: Any, people: list[dict[str, Any]]) -> tuple[float, float]:
    from datetime import date

    from muster.services.accounts import Account, Role
    from muster.services.identify import RollMatcher, Traveler
    from muster.services.screening import ScreeningRequest, screen

    officer = Account("oficial", Role.OFFICER, ("SBOL",))
    with engine.connect() as conn:
        matcher = RollMatcher.from_registry(conn)
    samples = []
    for p in people:
        traveler = Traveler(
            p["given_names"], p["surnames"], date.fromisoformat(p["birth_date"]), p["national_id"]
        )
        started = time.perf_counter()
        screen(
            engine,
            officer,
            ScreeningRequest("SBOL", "exit", None, traveler),
            matcher=matcher,
            now=DAY,
        )
        samples.append(time.perf_counter() - started)
    samples.sort()
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.99)] * 1000


def http(
    workdir: Path, url: str, people: list[dict[str, Any]], seconds: int, connections: int
) -> dict[str, Any]:
    env = {
        **os.environ,
        "MUSTER_DATABASE_URL": url,
        "MUSTER_REGISTRY_PASSPHRASE": "muster-demo",
        "MUSTER_SCREENING_DATE": "2019-03-15",
    }
    server = subprocess.Popen(
        [MUSTER, "serve", "--port", "8799"],
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started = time.perf_counter()
    try:
        while True:
            try:
                with urllib.request.urlopen("http://127.0.0.1:8799/api/v1/health") as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        ready_s = time.perf_counter() - started
        login = urllib.request.Request(
            "http://127.0.0.1:8799/api/v1/auth/login",
            method="POST",
            data=json.dumps({"name": "oficial", "password": "oficial-demo-2019"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(login) as r:
            token = json.load(r)["token"]
        bodies = [
            json.dumps({"post": "SBOL", "direction": "exit", "identity": p}) for p in people[:500]
        ]
        script = workdir / "screen.lua"
        script.write_text(
            LUA.replace("TOKEN", token).replace(
                "BODIES", ",\n".join("[[" + b + "]]" for b in bodies)
            )
        )
        runs = []
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        for _ in range(RUNS):
            out = subprocess.run(
                [
                    "wrk",
                    "-t1",
                    f"-c{connections}",
                    f"-d{seconds}s",
                    "--latency",
                    "-s",
                    str(script),
                    "http://127.0.0.1:8799/api/v1/screenings",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            runs.append(parse_wrk(out))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        server.terminate()
        server.wait(30)
    wrk_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    medians = {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50_ms", "p99_ms")}
    return {
        "ready_s": ready_s,
        **medians,
        "errors": sum(r["errors"] for r in runs),
        "wrk_cpu_share": wrk_cpu / (seconds * RUNS),
        "connections": connections,
        "seconds": seconds,
        "runs": [round(r["p99_ms"], 1) for r in runs],
    }


LUA = """
local bodies = {
BODIES
}
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
                    ["Authorization"] = "Bearer TOKEN"}, bodies[i])
end
"""


def parse_wrk(text: str) -> dict[str, Any]:
    def ms(label: str) -> float:
        found = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", text)
        assert found, text
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket = re.search(r"Socket errors: (.*)", text)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),  # type: ignore[union-attr]
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "errors": (int(errors.group(1)) if errors else 0) + (1 if socket else 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--http-seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    from muster.services.demo import build_demo
    from muster.store.dialects import make_engine

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.db"
        engine = make_engine(url)
        build_demo(engine, args.size, 2018, None, None, lambda _m: None)
        people = travelers(engine, args.requests)
        p50, p99 = in_process(engine, people)
        engine.dispose()
        web = (
            http(Path(tmp), url, people, args.http_seconds, args.connections)
            if shutil.which("wrk")
            else None
        )
    lines = [
        "## Screening",
        "",
        f"Demo registry of {args.size:,} people (SQLite); candidates by cédula and birth date, "
        "scored with the roll's name frequencies (the name index of issue 4 is not in yet).",
        f"Machine: {describe()}.",
        f"Command: `python -m bench.screening --size {args.size}`.",
        "",
        f"- In process, `screen()` including the crossing's commit, {len(people):,} travelers "
        f"(half strangers): p50 {p50:.2f} ms, p99 {p99:.2f} ms.",
    ]
    if web is not None:
        lines += [
            f"- HTTP, one `muster serve` process, wrk 1 thread {web['connections']} connections "
            f"for {web['seconds']} s on loopback, medians of {RUNS} runs (wrk used "
            f"{web['wrk_cpu_share']:.0%} of a core): {web['rps']:.0f} screenings/s, p50 "
            f"{web['p50_ms']:.1f} ms, p99 {web['p99_ms']:.1f} ms (each run's p99: "
            f"{web['runs']}), {web['errors']} errors. Target: 1,000/s, p99 < 25 ms on a "
            "2,000,000-person roll — not reached yet.",
            f"- From `muster serve` to a ready health route: {web['ready_s']:.2f} s.",
        ]
    replace_section(args.doc, "screening", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
