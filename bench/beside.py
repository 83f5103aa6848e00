"""Screening beside earlier commits: one demo registry, the same load, the servers in turn.

    python -m bench.beside --parent REV [--parent REV2] [--size 2000000] [--rounds 2]
        [--workers 1,2] [--http-seconds 10] [--database FILE]

A change that may cost the border its speed is measured against the commit before it, on the
same machine in the same session, because absolute figures move from machine to machine and
from hour to hour. This script:
1. extracts each `--parent` commit's tree (`git archive`) into a temporary folder;
2. builds the demo registry once with the first parent's code (or reuses `--database`, which
   must hold a demo built by a commit no newer than any side), and gives every side its own
   copy, upgraded by that side's `muster init`;
3. in each round, serves each side's copy with that side's `muster serve --workers W` (the
   parents' code through PYTHONPATH, this checkout's as installed) and posts the same typed
   identities with wrk (`bench.screening.http`); the order of the sides turns by one each
   round, so that a machine drifting in one direction favours no side;
4. writes every round's figures, and each side's throughput as a ratio to this checkout's in
   the same round, to docs/benchmarks.md (section "screening-beside-parent", or with one
   `--workers` count "screening-beside-parent-one-process", "…-two-processes").

Each side keeps its database and its saved index from round to round, so the crossings that
the runs write accumulate alike on every side.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from bench.machine import describe, replace_section
from bench.screening import MUSTER, POSTED, RUNS, WARM_UP_S, http, travelers
from muster.demo.scenario import DEMO_PASSPHRASE

ROOT = Path(__file__).resolve().parent.parent
WORKERS = "1,2"
# A section of its own, and its heading's tail, for a run with one count of server processes.
SECTIONS = {
    "1": ("-one-process", ", one server process"),
    "2": ("-two-processes", ", two server processes"),
}
MUSTER_PYTHON = str(Path(MUSTER).parent / "python")  # the interpreter `muster` runs on

BUILD = """
import sys
from muster.demo.scenario import build_demo
from muster.store.dialects import make_engine
engine = make_engine(sys.argv[1])
build_demo(engine, int(sys.argv[2]), 2018, None, None, lambda _m: None)
engine.dispose()
"""


class Side:
    """One commit's code, its copy of the demo registry and its saved index."""

    def __init__(self, name: str, src: Path | None, folder: Path) -> None:
        self.name = name
        self.env = {} if src is None else {"PYTHONPATH": str(src)}
        self.folder = folder
        folder.mkdir(parents=True)
        self.database = folder / "demo.db"
        self.index = folder / "index" / "roll.npz"

    @property
    def url(self) -> str:
        return f"sqlite:///{self.database}"

    def run(self, *args: str) -> None:
        env = {
            **os.environ,
            **self.env,
            "MUSTER_DATABASE_URL": self.url,
            "MUSTER_REGISTRY_PASSPHRASE": DEMO_PASSPHRASE,
        }
        subprocess.run(args, env=env, cwd=self.folder, check=True, stdout=subprocess.DEVNULL)


def extract(rev: str, into: Path) -> str:
    """The tree of commit `rev` in folder `into`; returns the commit's short name."""
    short = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return short


def uncommitted() -> str:
    """What the checkout's name says of its uncommitted changes: none, to docs only (such as
    an earlier benchmark's figures), or to code."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    if not status:
        return ""
    if all(line[3:].startswith("docs/") for line in status):
        return " with uncommitted changes to docs only"
    return " with uncommitted changes"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parent", action="append", required=True, help="an earlier commit")
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--http-seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", default=WORKERS, help="server processes to try, e.g. 1,2")
    parser.add_argument("--database", type=Path, help="a demo registry to start from")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench.beside needs wrk (Debian package wrk)")
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    this = head + uncommitted()
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sides = [Side(f"this checkout ({this})", None, root / "this")]
        for i, rev in enumerate(args.parent):
            tree = root / f"tree{i}"
            short = extract(rev, tree)
            sides.append(Side(f"parent {short}", tree / "src", root / f"side{i}"))
            where = subprocess.run(
                [MUSTER_PYTHON, "-c", "import muster; print(muster.__file__)"],
                env={**os.environ, **sides[-1].env},
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            if not where.startswith(str(tree)):  # the installed code would shadow the parent's
                sys.exit(f"{rev}: its code is not the one imported ({where})")
        base = root / "base.db"
        if args.database is not None and args.database.exists():
            shutil.copyfile(args.database, base)
        else:
            builder = sides[1]
            print(f"building the demo ({args.size:,} people) with {builder.name}", file=sys.stderr)
            env = {**os.environ, **builder.env}
            url = f"sqlite:///{base}"
            subprocess.run([sys.executable, "-c", BUILD, url, str(args.size)], env=env, check=True)
            if args.database is not None:
                shutil.copyfile(base, args.database)
        for side in sides:
            shutil.copyfile(base, side.database)
            side.run(MUSTER, "init")  # the side's own migrations, as an upgrade would run them
        from muster.store.dialects import make_engine

        engine = make_engine(sides[0].url)
        people = travelers(engine, args.requests)
        engine.dispose()
        workers = [int(w) for w in args.workers.split(",")]
        results: dict[tuple[int, int, int], dict[str, Any]] = {}  # (round, side, workers)
        for r in range(args.rounds):
            order = sides[r % len(sides) :] + sides[: r % len(sides)]
            for side in order:
                s = sides.index(side)
                for w in workers:
                    print(f"round {r + 1}: {side.name}, {w} process(es)", file=sys.stderr)
                    results[(r, s, w)] = http(
                        side.folder,
                        side.url,
                        people,
                        args.http_seconds,
                        args.connections,
                        w,
                        side.index,
                        side.env,
                    )
            loads.append(os.getloadavg()[0])
    lines = report(args, sides, workers, results, loads, min(POSTED, len(people)))
    suffix = SECTIONS.get(args.workers, ("", ""))[0]
    replace_section(args.doc, f"screening-beside-parent{suffix}", "\n".join(lines))
    print("\n".join(lines))


def report(
    args: argparse.Namespace,
    sides: list[Side],
    workers: list[int],
    results: dict[tuple[int, int, int], dict[str, Any]],
    loads: list[float],
    posted: int,
) -> list[str]:
    command = f"python -m bench.beside --size {args.size} --rounds {args.rounds}"
    if args.workers != WORKERS:
        command += f" --workers {args.workers}"
    command += "".join(f" --parent {rev}" for rev in args.parent)
    heading = SECTIONS.get(args.workers, ("", ""))[1]
    lines = [
        f"## Screening beside earlier commits{heading}",
        "",
        f"One demo registry of {args.size:,} people, built by the oldest side and copied for "
        "each side, upgraded by its own `muster init`; each side served by its own code with "
        f"`muster serve --workers W`, the same {posted} typed identities (from "
        "`bench.screening`) posted by wrk (1 thread, "
        f"{args.connections} connections, "
        f"{args.http_seconds} s, medians of {RUNS} runs per cell after a {WARM_UP_S} s "
        'warm-up run not counted, as in section "Screening"). '
        f"{args.rounds} rounds; the sides' order turns by one each round.",
        f"Machine: {describe()}; load average (1 min) "
        f"{', '.join(f'{x:.1f}' for x in loads)} at the start and after each round.",
        f"Command: `{command}`.",
        "",
        "| side | processes | round | screenings/s | p99 (ms) | server CPU per screening (ms) "
        "| screenings/s ÷ this checkout's |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s, side in enumerate(sides):
        for w in workers:
            for r in range(args.rounds):
                got, ours = results[(r, s, w)], results[(r, 0, w)]
                lines.append(
                    f"| {side.name} | {w} | {r + 1} | {got['rps']:.0f} | {got['p99_ms']:.1f} "
                    f"| {got['server_cpu_ms']:.2f} | {got['rps'] / ours['rps']:.2f} |"
                )
    lines.append("")
    for s, side in enumerate(sides[1:], start=1):
        for w in workers:
            ratios = [
                results[(r, 0, w)]["rps"] / results[(r, s, w)]["rps"] for r in range(args.rounds)
            ]
            p99 = [
                results[(r, 0, w)]["p99_ms"] / results[(r, s, w)]["p99_ms"]
                for r in range(args.rounds)
            ]
            each = ", ".join(f"{x:.2f}" for x in ratios)
            each_p99 = ", ".join(f"{x:.2f}" for x in p99)
            lines.append(
                f"- This checkout ÷ {side.name}, {w} process(es): throughput {each} (median "
                f"{statistics.median(ratios):.2f}); p99 {each_p99} (median "
                f"{statistics.median(p99):.2f}; above 1 is slower)."
            )
    return lines


if __name__ == "__main__":
    main()
