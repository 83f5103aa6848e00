"""Screening benchmark: in-process decision latency and HTTP throughput on the demo registry.

    python -m bench.screening --size 2000000 [--database demo.db] [--workers 1,2]
        [--http-seconds 10] [--connections 8]

Builds the demo registry (synthetic, deterministic) in a temporary directory, or builds it
once in `--database` and reuses it, then:
1. in process: the index of the roll is built, then `decide_crossing` (what the server does
   before the crossing's grouped commit) for typed identities with every naming variation,
   half of them people not on the roll; p50/p99;
2. over HTTP: `muster serve --workers W` on loopback and wrk (Debian package) posting the same
   screenings; the time to a ready health route, requests per second, latency percentiles,
   errors, the CPU wrk used and the server's CPU per screening (all its processes: the W
   server processes and the crossing writer process that commits and seals for them).
Results go to docs/benchmarks.md (section "screening").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.machine import describe, replace_section
from muster.demo.scenario import DEMO_PASSPHRASE, demo_password

ROOT = Path(__file__).resolve().parent.parent
MUSTER = str(Path(sys.executable).parent / "muster")
DAY = datetime(2019, 3, 15, 12, tzinfo=UTC)
RUNS = 3  # wrk runs against the same server; medians reported
WARM_UP_S = 3  # one wrk run first, not counted: the new server's first requests read from disk
POSTED = 500  # the typed identities wrk's script posts, in turn


def travelers(engine: Any, n: int) -> list[dict[str, Any]]:
    """Identities as officers type them: members of the roll in every status, written with the
    variations a post sees (accents, Ñ, particles, typos, swapped surnames, missing fields…),
    and as many people not on the roll (random people, members' namesakes and relatives)."""
    from muster.demo.population import SyntheticPerson
    from muster.demo.travelers import generate_travelers
    from muster.matching.normalize import parse_birth_date
    from muster.matching.records import last_serial
    from muster.store.tables import roll

    with engine.connect() as conn:
        rows = conn.execute(select(roll).order_by(func.random()).limit(max(n, 1000))).all()
    sample = [
        SyntheticPerson(
            last_serial(r.serial_number, r.former_serials), r.national_id,
            r.given_names, r.surnames, r.birth_date, r.sex, r.component, r.rank or "",
            r.category, r.unit,
        )
        for r in rows
    ]  # fmt: skip
    out = []
    for lt in generate_travelers(sample, n, 5):
        t = lt.traveler
        born = parse_birth_date(t.birth_date).value
        identity: dict[str, Any] = {"given_names": t.given_names, "surnames": t.surnames}
        if born is not None:
            identity["birth_date"] = born.isoformat()
        if t.national_id:
            identity["national_id"] = t.national_id
        if t.document_number:
            identity["document_number"] = t.document_number
        out.append(identity)
    return out


def in_process(engine: Any, people: list[dict[str, Any]]) -> dict[str, float]:
    """Index build, then each decision as the server makes it (reads, index, policy; the
    crossing's commit is grouped by the server and measured over HTTP)."""

    from muster.accounts.accounts import Account, Role
    from muster.screening.decision import Identity, Screening, ScreeningCaches, decide_crossing
    from muster.screening.identify import RollMatcher
    from muster.store.dialects import reading

    officer = Account("oficial", Role.OFFICER, ("SBOL",))
    started = time.perf_counter()
    with reading(engine) as conn:
        matcher = RollMatcher.from_registry(conn, DAY.date())
    build_s = time.perf_counter() - started
    caches = ScreeningCaches()
    fields = ("given_names", "surnames", "birth_date", "national_id", "document_number")
    requests = [
        Screening(
            post="SBOL",
            direction="exit",
            identity=Identity(**{f: p[f] for f in fields if f in p}),
        )
        for p in people
    ]
    runs = []
    for _ in range(RUNS):
        samples = []
        for request in requests:
            t0 = time.perf_counter()
            with reading(engine) as conn:
                decide_crossing(conn, officer, request, matcher, DAY, caches, DAY.date())
            samples.append(time.perf_counter() - t0)
        samples.sort()
        runs.append((statistics.median(samples), samples[int(len(samples) * 0.99)]))
    return {
        "build_s": build_s,
        "p50_ms": statistics.median(r[0] for r in runs) * 1000,
        "p99_ms": statistics.median(r[1] for r in runs) * 1000,
    }


def tree(pid: int) -> list[int]:
    """A process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def tree_usage(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) and resident memory (MB) of a process tree."""
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = rss = 0.0
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu += (int(fields[11]) + int(fields[12])) / ticks
        rss += int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return cpu, rss


def free_port() -> int:
    """A loopback port nobody listens on now: two benchmarks at once never share a server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


PORT = free_port()
SERVER = f"http://127.0.0.1:{PORT}/api/v1"


def start_server(
    workdir: Path, url: str, *options: str, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], float]:
    """`muster serve` on loopback with these options, and its seconds to a ready health route.
    `extra_env` is added to the server's environment (`bench.beside` points PYTHONPATH at
    another commit's code)."""
    env = {
        **os.environ,
        **(extra_env or {}),
        "MUSTER_DATABASE_URL": url,
        "MUSTER_REGISTRY_PASSPHRASE": DEMO_PASSPHRASE,
        "MUSTER_SCREENING_DATE": "2019-03-15",
    }
    started = time.perf_counter()
    server = subprocess.Popen(
        [MUSTER, "serve", "--port", str(PORT), *options],
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"muster serve {' '.join(options)} exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{SERVER}/health") as r:
                if r.status == 200:
                    return server, time.perf_counter() - started
        except OSError:  # not listening yet, or 503 while it indexes the roll
            time.sleep(0.05)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(120)


def start_times(workdir: Path, url: str, index: Path) -> tuple[float, float]:
    """From `muster serve --index` to a ready health route: with no saved index (built from
    the roll, then saved), and again with the index saved (loaded, brought up to date)."""
    times = []
    for _ in range(2):
        server, ready_s = start_server(workdir, url, "--index", str(index))
        stop_server(server)
        times.append(ready_s)
    return times[0], times[1]


def http(
    workdir: Path,
    url: str,
    people: list[dict[str, Any]],
    seconds: int,
    connections: int,
    workers: int,
    index: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    options = ["--workers", str(workers)] + ([] if index is None else ["--index", str(index)])
    server, ready_s = start_server(workdir, url, *options, extra_env=extra_env)
    try:
        login = urllib.request.Request(
            f"{SERVER}/auth/login",
            method="POST",
            data=json.dumps({"name": "oficial", "password": demo_password("oficial")}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(login) as r:
            token = json.load(r)["token"]
        bodies = [
            json.dumps({"post": "SBOL", "direction": "exit", "identity": p})
            for p in people[:POSTED]
        ]
        script = workdir / "screen.lua"
        script.write_text(
            LUA.replace("TOKEN", token).replace(
                "BODIES", ",\n".join("[[" + b + "]]" for b in bodies)
            )
        )

        def load(duration: int) -> str:
            return subprocess.run(
                [
                    "wrk",
                    "-t1",
                    f"-c{connections}",
                    f"-d{duration}s",
                    "--latency",
                    "-s",
                    str(script),
                    f"{SERVER}/screenings",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout

        load(WARM_UP_S)
        runs = []
        server_before, _rss = tree_usage(server.pid)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        for _ in range(RUNS):
            runs.append(parse_wrk(load(seconds)))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_after, server_rss = tree_usage(server.pid)
    finally:
        stop_server(server)
    wrk_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    medians = {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50_ms", "p99_ms")}
    return {
        "ready_s": ready_s,
        **medians,
        "errors": sum(r["errors"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        "server_cpu_ms": (server_after - server_before) * 1000 / sum(r["requests"] for r in runs),
        "server_rss_mb": server_rss,
        "workers": workers,
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
        "requests": int(re.search(r"(\d+) requests in", text).group(1)),  # type: ignore[union-attr]
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
    parser.add_argument("--workers", default="1,2", help="server processes to try, e.g. 1,2")
    parser.add_argument(
        "--database", type=Path, help="SQLite file holding the demo (built there if missing)"
    )
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    from muster.demo.scenario import build_demo
    from muster.store.dialects import make_engine

    load_before = os.getloadavg()[0]

    with tempfile.TemporaryDirectory() as tmp:
        path = args.database or Path(tmp) / "demo.db"
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        started = time.perf_counter()
        build_demo(engine, args.size, 2018, None, None, lambda _m: None)  # reused if there
        built_s = time.perf_counter() - started
        people = travelers(engine, args.requests)
        local = in_process(engine, people)
        engine.dispose()
        index = Path(tmp) / "index" / "roll.npz"
        cold_s, warm_s = start_times(Path(tmp), url, index)
        webs = (
            [
                http(Path(tmp), url, people, args.http_seconds, args.connections, int(w), index)
                for w in args.workers.split(",")
            ]
            if shutil.which("wrk")
            else []
        )
    command = f"python -m bench.screening --size {args.size}"
    if args.workers != "1,2":
        command += f" --workers {args.workers}"
    lines = [
        "## Screening",
        "",
        f"Demo registry of {args.size:,} people (SQLite; built or reused in {built_s:.0f} s). "
        f"{len(people):,} typed identities: members in every status written with the "
        "variations a post sees, and as many people not on the roll (random people, members' "
        "namesakes and relatives), from `muster.demo.travelers`.",
        f"Machine: {describe()}; load average (1 min) {load_before:.1f} when the run began. "
        f"Command: `{command}`.",
        "",
        f"- In process, the decision as the server makes it (`decide_crossing`: reads, the "
        f"matcher's index, the policy), medians of {RUNS} passes: p50 {local['p50_ms']:.2f} ms, "
        f"p99 {local['p99_ms']:.2f} ms. Index of the roll built in {local['build_s']:.1f} s.",
    ]
    lines.append(
        f"- From `muster serve --index FILE` to a ready health route: {cold_s:.1f} s with no "
        f"saved index (built from the roll and saved), {warm_s:.1f} s with it saved (loaded, "
        "digest checked, brought up to date)."
    )
    for web in webs:
        lines += [
            f"- HTTP, `muster serve --workers {web['workers']}`, wrk 1 thread "
            f"{web['connections']} connections for {web['seconds']} s on loopback, medians of "
            f"{RUNS} runs after a {WARM_UP_S} s warm-up run not counted: "
            f"**{web['rps']:.0f} screenings/s**, p50 {web['p50_ms']:.1f} ms, "
            f"p99 {web['p99_ms']:.1f} ms (each run's p99: {web['runs']}), {web['errors']} "
            f"errors; each answer sent once the crossing writer process has committed its "
            f"crossing (commits grouped). wrk used "
            f"{web['wrk_cpu_share']:.0%} of a core; the server "
            f"{web['server_cpu_ms']:.2f} ms of CPU per screening, "
            f"{web['server_rss_mb']:,.0f} MB resident (started from the saved index: ready "
            f"in {web['ready_s']:.1f} s).",
        ]
    lines.append(
        "- Target (issue 5): 1,000 screenings/s with p99 < 25 ms on a 2,000,000-person roll."
    )
    for web in webs:
        met = web["rps"] >= 1000 and web["p99_ms"] < 25 and web["errors"] == 0
        lines.append(
            f"  With {web['workers']} server process{'es' if web['workers'] > 1 else ''}: "
            + ("reached" if met else "not reached")
            + f" ({web['rps']:.0f}/s, p99 {web['p99_ms']:.1f} ms, {web['errors']} errors)."
        )
    replace_section(args.doc, "screening", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
