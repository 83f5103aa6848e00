"""Quick quality and speed measurement of Muster's matcher on synthetic data with ground truth.

    python -m bench.matching_quick [--roll 100000] [--travelers 10000] [--seed 2018]

Prints the figures and writes them into docs/benchmarks.md between the matching-quick markers.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from muster.demo.population import generate_roll
from muster.demo.travelers import as_member, generate_travelers
from muster.matching import Matcher, Verdict

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
BEGIN, END = "<!-- matching-quick:begin -->", "<!-- matching-quick:end -->"


def measure(roll_size: int, traveler_count: int, seed: int) -> dict[str, float]:
    roll = generate_roll(roll_size, seed)
    travelers = generate_travelers(roll, traveler_count, seed + 1)
    started = time.perf_counter()
    members = [as_member(p) for p in roll]
    matcher = Matcher.from_members(members)
    build = time.perf_counter() - started
    times, n = [], {"tp": 0, "wrong": 0, "on": 0, "off": 0, "on_found": 0, "fm": 0, "refer": 0}
    name_only_namesakes = 0
    started = time.perf_counter()
    for lt in travelers:
        t0 = time.perf_counter()
        result = matcher.match(lt.traveler)
        times.append(time.perf_counter() - t0)
        if lt.truth is not None:
            n["on"] += 1
            n["on_found"] += result.verdict is not Verdict.NO_MATCH
            if result.verdict is Verdict.MATCH:
                n["tp" if result.serial_number == lt.truth else "wrong"] += 1
        else:
            n["off"] += 1
            n["fm"] += result.verdict is Verdict.MATCH
            n["refer"] += result.verdict is Verdict.POSSIBLE
            t = lt.traveler
            cedula_doc = 0 < len(t.document_number) <= 8  # passports here have 9 digits
            if lt.kind == "namesake" and not (t.birth_date or t.national_id or cedula_doc):
                name_only_namesakes += 1
    wall = time.perf_counter() - started
    matches = n["tp"] + n["wrong"] + n["fm"]
    precision = n["tp"] / matches if matches else 0.0
    recall = n["tp"] / n["on"]
    times.sort()
    return {
        "roll": roll_size, "travelers": traveler_count, "build_s": build, "match_s": wall,
        "precision": precision, "recall": recall, "found": n["on_found"] / n["on"],
        "wrong": n["wrong"], "fmr": n["fm"] / n["off"], "refer": n["refer"] / n["off"],
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "p50_ms": statistics.median(times) * 1000, "p99_ms": times[int(len(times) * 0.99)] * 1000,
        "name_only_namesakes": name_only_namesakes / n["off"],
    }  # fmt: skip


def report(r: dict[str, float], command: str) -> str:
    return "\n".join([
        "## Matching (quick)", "",
        f"Roll {r['roll']:,.0f} synthetic members, {r['travelers']:,.0f} travelers (half on the "
        "roll with the issue's variations; half random people, namesakes and relatives), one "
        f"process, measured with `{command}`.", "",
        "| figure | value |", "|---|---|",
        f"| precision of `match` | {r['precision']:.4f} |",
        f"| recall of `match` | {r['recall']:.4f} |",
        f"| recall of `match` or `possible` | {r['found']:.4f} |",
        f"| wrong-person matches | {r['wrong']:.0f} |",
        f"| false-match rate, not on roll | {r['fmr']:.4f} |",
        f"| refer rate, not on roll | {r['refer']:.4f} |",
        f"| share of not-on-roll that are name-only namesakes (refer ceiling) | "
        f"{r['name_only_namesakes']:.4f} |",
        f"| F1 of `match` | {r['f1']:.4f} |",
        f"| index build (s) | {r['build_s']:.1f} |",
        f"| matching wall time (s) | {r['match_s']:.1f} |",
        f"| per identity p50 / p99 (ms) | {r['p50_ms']:.2f} / {r['p99_ms']:.2f} |",
    ])  # fmt: skip


def write_section(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    section = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in doc and END in doc:
        head, rest = doc.split(BEGIN, 1)
        doc = head + section + rest.split(END, 1)[1]
    else:
        doc = doc.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(doc, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--roll", type=int, default=100_000)
    parser.add_argument("--travelers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()
    figures = measure(args.roll, args.travelers, args.seed)
    command = "python -m bench.matching_quick"
    if (args.roll, args.travelers, args.seed) != (100_000, 10_000, 2018):
        command += f" --roll {args.roll} --travelers {args.travelers} --seed {args.seed}"
    text = report(figures, command)
    print(text)
    write_section(text)


if __name__ == "__main__":
    main()
