"""Muster's matcher at scale: a 2,000,000-member roll and 100,000 travelers.

    python -m bench.matching_scale [--roll 2000000] [--travelers 100000] [--seed 2018]
                                   [--runs 3] [--sample 20000] [--baseline-roll 100000]

Measures, on synthetic data with ground truth (generated once into bench/out/ and reused):
reading the roll file and building the index, saving and loading it, one identity in process
(p50/p99 over a sample of travelers, wall and CPU time, the median of several runs, each run
also timed against a smaller roll in the same process as a baseline), candidate recall (the
share of travelers on the roll whose member is among the candidates compared in full) and the
whole `muster match --roll … --travelers … --out …` as a subprocess, with its wall time and
the peak memory of its process tree (sum of RSS, and sum of PSS, which counts pages shared
copy-on-write between the forked workers once). Writes docs/benchmarks.md (section
"matching-scale").
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from bench.machine import describe, replace_section
from bench.matching_compare import pss, rss, tree, write_travelers

if TYPE_CHECKING:
    from muster.matching.columns import RollColumns

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"


def prepare(folder: Path, roll_size: int, travelers: int, seed: int) -> None:
    """roll.csv, travelers.csv and truth.csv in `folder`, unless already there."""
    from muster.demo.population import generate_roll, write_roll_csv
    from muster.demo.travelers import generate_travelers

    if (folder / "truth.csv").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    roll = generate_roll(roll_size, seed)
    write_roll_csv(folder / "roll.csv", roll)
    labelled = generate_travelers(roll, travelers, seed + 1)
    del roll
    write_travelers(folder / "travelers.csv", folder / "truth.csv", labelled)


def timed(action: Callable[[], object]) -> tuple[object, float, float]:
    """What `action` returns, its wall time and its CPU time (this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = action()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def head(columns: RollColumns, n: int) -> RollColumns:
    """The first `n` members of a roll."""
    from muster.matching.columns import RollColumns

    given, surnames, born, sex = (
        [values[i] for i in ids[:n]]
        for values, ids in zip(([*d] for d in columns.values), columns.ids, strict=True)
    )
    return RollColumns.of(columns.keys[:n], columns.serials[:n], given, surnames, born,
                          columns.national_ids[:n], sex)  # fmt: skip


def in_process(folder: Path, runs: int, sample: int, baseline_roll: int) -> dict[str, object]:
    from muster.cli.match_cmd import read_roll
    from muster.matching import Matcher, Traveler
    from muster.matching.columns import RollColumns
    from muster.matching.matcher import CANDIDATES

    out: dict[str, object] = {}
    columns, out["read_s"], out["read_cpu_s"] = timed(lambda: read_roll(folder / "roll.csv"))
    assert isinstance(columns, RollColumns)
    base_columns = head(columns, baseline_roll)
    matcher, out["build_s"], out["build_cpu_s"] = timed(partial(Matcher.from_columns, columns))
    assert isinstance(matcher, Matcher)
    workers = os.cpu_count() or 1
    if workers > 1:  # as `muster match` builds it: the distinct surnames parsed in N processes
        built = partial(Matcher.from_columns, columns, workers=workers)
        _, out["build_parallel_s"], _ = timed(built)
    out["build_workers"] = workers
    del columns
    out["members"] = len(matcher.index)
    baseline = Matcher.from_columns(base_columns)
    del base_columns
    index_path = folder / "roll-index.npz"
    _, out["save_s"], _ = timed(lambda: matcher.save(index_path))
    out["index_mb"] = index_path.stat().st_size / 1e6
    loaded, out["load_s"], out["load_cpu_s"] = timed(lambda: Matcher.load(index_path))
    assert isinstance(loaded, Matcher)

    with (folder / "travelers.csv").open(encoding="utf-8", newline="") as handle:
        travelers = [
            Traveler(r["given_names"], r["surnames"], r["birth_date"], r["national_id"],
                     r["document_number"], "", r["traveler_id"])
            for r in csv.DictReader(handle)
        ]  # fmt: skip
    with (folder / "truth.csv").open(encoding="utf-8", newline="") as handle:
        truth = {r["traveler_id"]: r["serial_number"] for r in csv.DictReader(handle)}
    for t in travelers[:200]:
        assert loaded.match(t) == matcher.match(t), "a loaded index answers differently"
    del loaded

    for t in travelers[-500:]:  # warm the word caches as a running service has them
        matcher.match(t)
        baseline.match(t)
    per_run: dict[str, list[tuple[float, float, float, float]]] = {"roll": [], "baseline": []}
    for run in range(runs):  # each run other travelers (none seen before, if there are enough)
        start = run * sample % max(len(travelers) - sample, 1)
        chosen = travelers[start : start + sample]
        for name, m in (("roll", matcher), ("baseline", baseline)):
            walls, cpus = [], []
            for t in chosen:
                wall, cpu = time.perf_counter(), time.thread_time()
                m.match(t)
                cpus.append(time.thread_time() - cpu)
                walls.append(time.perf_counter() - wall)
            per_run[name].append(
                (statistics.median(walls), percentile(walls, 0.99),
                 statistics.median(cpus), percentile(cpus, 0.99))
            )  # fmt: skip
    for name, rows in per_run.items():
        for i, figure in enumerate(("p50_ms", "p99_ms", "cpu_p50_ms", "cpu_p99_ms")):
            out[f"{name}_{figure}"] = statistics.median(r[i] for r in rows) * 1000
            out[f"{name}_{figure}_runs"] = [round(r[i] * 1000, 2) for r in rows]

    found = on = 0
    index = matcher.index
    for t in travelers:
        serial = truth[t.traveler_id]
        if not serial:
            continue
        on += 1
        identity, _ = t.identity()
        found += serial in {index.serial(r) for r in index.candidates(identity, CANDIDATES)}
    out["candidate_recall"], out["on_roll"] = found / on, on
    return out


def quality(verdicts: dict[str, tuple[str, str]], truth: dict[str, str]) -> dict[str, float]:
    """Precision and recall of `match`, recall of match-or-possible, false matches, refers."""
    n = dict.fromkeys(("tp", "wrong", "on", "off", "found", "fm", "refer"), 0)
    for tid, (verdict, serial) in verdicts.items():
        if truth[tid]:
            n["on"] += 1
            n["found"] += verdict != "no_match"
            if verdict == "match":
                n["tp" if serial == truth[tid] else "wrong"] += 1
        else:
            n["off"] += 1
            n["fm"] += verdict == "match"
            n["refer"] += verdict == "possible"
    matches = n["tp"] + n["wrong"] + n["fm"]
    precision = n["tp"] / matches if matches else 0.0
    recall = n["tp"] / max(n["on"], 1)
    return {
        "precision": precision, "recall": recall, "found": n["found"] / max(n["on"], 1),
        "wrong": n["wrong"], "fmr": n["fm"] / max(n["off"], 1),
        "refer": n["refer"] / max(n["off"], 1),
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }  # fmt: skip


def command(folder: Path) -> dict[str, object]:
    """The whole `muster match` at this size, with the peak memory of its process tree."""
    out_path = folder / "results.csv"
    argv = [
        sys.executable, "-c", "from muster.cli.app import main; main()", "match",
        "--roll", str(folder / "roll.csv"), "--travelers", str(folder / "travelers.csv"),
        "--out", str(out_path),
    ]  # fmt: skip
    peak = {"rss": 0, "pss": 0}
    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def watch() -> None:
        while process.poll() is None:
            pids = tree(process.pid)
            peak["rss"] = max(peak["rss"], sum(rss(p) for p in pids))
            peak["pss"] = max(peak["pss"], sum(pss(p) for p in pids))
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(getattr(cpu_after, f) - getattr(cpu_before, f) for f in ("ru_utime", "ru_stime"))
    load_after = os.getloadavg()[0]
    watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"muster match failed: {stderr.decode()[-2000:]}")
    with (folder / "truth.csv").open(encoding="utf-8", newline="") as handle:
        truth = {r["traveler_id"]: r["serial_number"] for r in csv.DictReader(handle)}
    with out_path.open(encoding="utf-8", newline="") as handle:
        verdicts = {r["traveler_id"]: (r["verdict"], r["serial_number"])
                    for r in csv.DictReader(handle)}  # fmt: skip
    assert len(verdicts) == len(truth)
    return {
        "cli_s": wall, "cli_rss_mb": peak["rss"] / 1e6, "cli_pss_mb": peak["pss"] / 1e6,
        "cli_cpu_s": cpu, "cli_load": f"{load_before:.1f} / {load_after:.1f}",
        "cli_workers": os.cpu_count() or 1,
        **{f"cli_{k}": v for k, v in quality(verdicts, truth).items()},
    }  # fmt: skip


def report(r: dict[str, object], args: argparse.Namespace, cmd: str) -> str:
    def f(key: str, digits: int = 2) -> str:
        value = r[key]
        assert isinstance(value, int | float)
        return f"{value:,.{digits}f}"

    lines = [
        "## Matching at scale", "",
        f"Roll of {args.roll:,} synthetic members, {args.travelers:,} travelers (half on the "
        f"roll, with the issue's variations; half not), seed {args.seed}.",
        f"Machine: {describe()}. The machine is shared: wall times are noisy, so CPU times are "
        "given beside them.",
        f"Command: `{cmd}`.", "",
        "| figure | target | measured |", "| --- | --- | --- |",
        f"| read the roll file (s, wall / CPU) | | {f('read_s', 1)} / {f('read_cpu_s', 1)} |",
        f"| build the index from {args.roll:,} members, one process (s, wall / CPU) | ≤ 60 | "
        f"{f('build_s', 1)} / {f('build_cpu_s', 1)} |",
        *(
            [f"| same, names parsed in {r['build_workers']} processes as `muster match` does "
             f"(s, wall) | ≤ 60 | {f('build_parallel_s', 1)} |"]
            if "build_parallel_s" in r else []
        ),
        f"| save the index (s; file MB) | | {f('save_s', 1)} ({f('index_mb', 0)} MB) |",
        f"| load a saved index, digest checked (s, wall / CPU) | ≤ 5 | "
        f"{f('load_s', 2)} / {f('load_cpu_s', 2)} |",
        f"| one identity in process, p50 (ms, wall / CPU) | ≤ 1 | "
        f"{f('roll_p50_ms')} / {f('roll_cpu_p50_ms')} |",
        f"| one identity in process, p99 (ms, wall / CPU) | ≤ 5 | "
        f"{f('roll_p99_ms')} / {f('roll_cpu_p99_ms')} |",
        f"| same, baseline roll of {args.baseline_roll:,} in the same runs, p50 / p99 (ms wall)"
        f" | | {f('baseline_p50_ms')} / {f('baseline_p99_ms')} |",
        f"| candidate recall (member among those compared in full, {r['on_roll']:,} travelers "
        f"on the roll) | | {f('candidate_recall', 4)} |",
        f"| whole `muster match`, {args.roll:,} / {args.travelers:,} ({r['cli_workers']} "
        f"workers), wall (s) | < 120 | {f('cli_s', 1)} |",
        f"| its CPU time, all its processes (s) | | {f('cli_cpu_s', 1)} |",
        f"| its peak memory, sum of PSS over the process tree (MB) | < 4,000 | "
        f"{f('cli_pss_mb', 0)} |",
        f"| its peak memory, sum of RSS over the process tree (MB; shared pages counted in "
        f"each process) | | {f('cli_rss_mb', 0)} |",
        "",
        f"Per-identity times are medians over {args.runs} runs of {args.sample:,} travelers each "
        f"(other travelers in each run; the {args.baseline_roll:,}-member baseline answers the "
        "same ones) "
        f"(p50 per run, wall: {r['roll_p50_ms_runs']}; p99 per run: {r['roll_p99_ms_runs']}; "
        f"baseline p50 per run: {r['baseline_p50_ms_runs']}).",
        "",
        f"Load average of the machine (1 min) when the command started / ended: "
        f"{r['cli_load']} ({os.cpu_count()} cores).",
        "",
        f"Quality at this size, all {args.travelers:,} travelers of the command's results: "
        f"precision of `match` {f('cli_precision', 4)}, recall of `match` {f('cli_recall', 4)}, "
        f"recall of `match` or `possible` {f('cli_found', 4)}, wrong-person matches "
        f"{r['cli_wrong']}, false-match rate {f('cli_fmr', 4)}, refer rate {f('cli_refer', 4)} "
        f"(not on the roll), F1 {f('cli_f1', 4)}.",
    ]  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--roll", type=int, default=2_000_000)
    parser.add_argument("--travelers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--baseline-roll", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=None, help="Folder for the generated data.")
    parser.add_argument("--no-doc", action="store_true", help="Do not write docs/benchmarks.md.")
    args = parser.parse_args()
    folder = args.data or ROOT / "bench" / "out" / (
        f"matching-scale-{args.roll}-{args.travelers}-{args.seed}"
    )
    prepare(folder, args.roll, args.travelers, args.seed)
    figures = in_process(folder, args.runs, args.sample, min(args.baseline_roll, args.roll))
    print({k: v for k, v in figures.items() if not k.endswith("_runs")}, flush=True)
    figures.update(command(folder))
    cmd = "python -m bench.matching_scale"
    defaults = (2_000_000, 100_000, 2018, 3, 20_000, 100_000)
    given = (args.roll, args.travelers, args.seed, args.runs, args.sample, args.baseline_roll)
    if given != defaults:
        cmd += (
            f" --roll {args.roll} --travelers {args.travelers} --seed {args.seed}"
            f" --runs {args.runs} --sample {args.sample} --baseline-roll {args.baseline_roll}"
        )
    text = report(figures, args, cmd)
    print(text)
    if not args.no_doc:
        replace_section(DOC, "matching-scale", text)


if __name__ == "__main__":
    main()
