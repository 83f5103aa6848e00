"""Calibration of the matcher's score: does a score of 0.9 mean right nine times in ten?

    python -m bench.matching_calibration [--roll 100000] [--travelers 20000] [--seeds 2018,2019]
    python -m bench.matching_calibration --fit [--seeds 7001,7002,7003,7004]   # learn, print

For every traveler the best candidate's score is the matcher's probability that the traveler
is that member. Travelers are grouped by that score; in each group the observed share of
travelers who really are that member is set beside the mean score (a reliability table).
A calibrated score keeps the two close, so the `match` threshold (0.95) means "wrong at most
about one time in twenty among travelers scored there" — and less, since `match` also needs
a cédula or birth date. Travelers are synthetic with ground truth (`muster.demo.travelers`),
half not on the roll. Results go to docs/benchmarks.md (section "matching-calibration").
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

from bench.machine import describe, replace_section
from muster.demo.population import generate_roll
from muster.demo.travelers import as_member, generate_travelers
from muster.matching import Matcher, Thresholds, Verdict

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
BINS = (0.0, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99, 1.0001)


def measure(
    roll_size: int, traveler_count: int, seed: int, calibrated: bool = True
) -> list[tuple[float, bool, str, bool]]:
    """(best score, whether the best candidate is the traveler, verdict, whether the best
    candidate may be matched: `Comparison.unconfirmed` empty) per traveler; with `calibrated`
    False, the model's probability before the calibration map."""
    roll = generate_roll(roll_size, seed)
    travelers = generate_travelers(roll, traveler_count, seed + 1)
    matcher = Matcher.from_members(map(as_member, roll), Thresholds(calibrated=calibrated))
    out = []
    for lt in travelers:
        result = matcher.match(lt.traveler)
        best = result.best
        right = best is not None and lt.truth is not None and best.serial_number == lt.truth
        confirmed = best is not None and not best.unconfirmed
        out.append((result.score, right, result.verdict.value, confirmed))
    return out


def table(samples: list[tuple[float, bool, str, bool]]) -> list[str]:
    lines = [
        "| score of the best candidate | travelers | mean score | observed share right | "
        "verdicts (match / possible / no_match) |",
        "|---|---|---|---|---|",
    ]
    for lo, hi in itertools.pairwise(BINS):
        group = [s for s in samples if lo <= s[0] < hi]
        if not group:
            continue
        mean = sum(s[0] for s in group) / len(group)
        right = sum(s[1] for s in group) / len(group)
        counts = [sum(s[2] == v.value for s in group) for v in Verdict]
        label = f"[{lo:.2f}, {min(hi, 1.0):.2f}{']' if hi > 1 else ')'}"
        lines.append(
            f"| {label} | {len(group):,} | {mean:.3f} | {right:.3f} | "
            f"{counts[0]:,} / {counts[1]:,} / {counts[2]:,} |"
        )
    matched = [s for s in samples if s[2] == Verdict.MATCH.value]
    if matched:
        wrong = sum(not s[1] for s in matched)
        lines += [
            "",
            f"Among the {len(matched):,} `match` verdicts, {wrong} were not the traveler "
            f"(observed {wrong / len(matched):.4f}; the scores promised at most "
            f"{sum(1 - s[0] for s in matched) / len(matched):.4f} on average).",
        ]
    return lines


def isotonic(samples: list[tuple[float, bool]], block: int = 100) -> list[tuple[float, float]]:
    """The isotonic regression of rightness on the model probability (pool adjacent
    violators), adjacent blocks merged until each holds at least `block` travelers, as knots:
    each block's lowest and highest model probability with the block's observed share right
    (constant within a block, a straight line between blocks)."""
    pooled: dict[float, list[float]] = {}  # travelers of one model probability pooled first
    for p, right in samples:
        pooled.setdefault(p, [0.0, 0.0])
        pooled[p][0] += right
        pooled[p][1] += 1
    blocks: list[list[float]] = []  # [lowest p, highest p, number right, count]
    for p, (right, count) in sorted(pooled.items()):
        blocks.append([p, p, right, count])
        while len(blocks) > 1 and (
            blocks[-2][2] / blocks[-2][3] >= blocks[-1][2] / blocks[-1][3] or blocks[-2][3] < block
        ):
            last = blocks.pop()
            blocks[-1] = [blocks[-1][0], last[1], blocks[-1][2] + last[2], blocks[-1][3] + last[3]]
    if len(blocks) > 1 and blocks[-1][3] < block:
        last = blocks.pop()
        blocks[-1] = [blocks[-1][0], last[1], blocks[-1][2] + last[2], blocks[-1][3] + last[3]]
    knots: list[tuple[float, float]] = []
    for lo, hi, right, count in blocks:
        share = round(right / count, 4)
        for p in sorted({round(lo, 7), round(hi, 7)}):
            if not knots or p > knots[-1][0]:
                knots.append((p, max(share, knots[-1][1] if knots else 0.0)))
    return knots


def fit(args: argparse.Namespace) -> None:
    seeds = [int(s) for s in args.seeds.split(",")]
    samples = [
        sample
        for seed in seeds
        for sample in measure(args.roll, args.travelers, seed, calibrated=False)
    ]
    print(f"# fitted on {len(samples):,} synthetic travelers: roll {args.roll:,}, seeds {seeds}")
    print("CALIBRATION: dict[bool, Table] = {")
    for confirmed in (True, False):
        group = [(score, right) for score, right, _, ok in samples if ok is confirmed]
        print(f"    {confirmed}: (  # {len(group):,} travelers")
        for p, share in isotonic(group):
            print(f"        ({p}, {share}),")
        print("    ),")
    print("}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--roll", type=int, default=100_000)
    parser.add_argument("--travelers", type=int, default=20_000)
    parser.add_argument("--seeds", default="2018,2019")
    parser.add_argument("--fit", action="store_true", help="learn the calibration map")
    args = parser.parse_args()
    if args.fit:
        if args.seeds == "2018,2019":
            args.seeds = "7001,7002,7003,7004"  # never the seeds the map is checked on
        fit(args)
        return
    seeds = [int(s) for s in args.seeds.split(",")]
    started = time.perf_counter()
    samples = [s for seed in seeds for s in measure(args.roll, args.travelers, seed)]
    command = "python -m bench.matching_calibration"
    if (args.roll, args.travelers, args.seeds) != (100_000, 20_000, "2018,2019"):
        command += f" --roll {args.roll} --travelers {args.travelers} --seeds {args.seeds}"
    body = "\n".join(
        [
            "## Matching: calibration of the score",
            "",
            f"Rolls of {args.roll:,} synthetic members, {args.travelers:,} travelers each (half "
            f"not on the roll), seeds {', '.join(map(str, seeds))}; `{command}` "
            f"({time.perf_counter() - started:.0f} s). Machine: {describe()}.",
            "",
            "The score reported is the model probability through `verdict.CALIBRATION`, fitted "
            "with `--fit` on seeds 7001 to 7004 (never the seeds above); see docs/matching.md.",
            "",
            *table(samples),
            "",
            "Best candidates who may be matched (a name confirmed by a cédula or birth date, "
            "nothing unconfirmed):",
            "",
            *table([s for s in samples if s[3]]),
            "",
            "Best candidates who may not be matched (a name alone, another first given name "
            "without the cédula, …):",
            "",
            *table([s for s in samples if not s[3]]),
        ]
    )
    print(body)
    replace_section(DOC, "matching-calibration", body)


if __name__ == "__main__":
    main()
