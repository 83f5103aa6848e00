"""Synthetic population: how names repeat, and how long generation takes.

    python -m bench.population [--sizes 200000 2000000]

Writes docs/benchmarks.md (section "population").
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from bench.machine import describe, replace_section

ROOT = Path(__file__).resolve().parent.parent


def measure(size: int, seed: int) -> dict[str, float | str]:
    from muster.demo import names_data
    from muster.demo.population import generate_roll

    started = time.perf_counter()
    people = generate_roll(size, seed)
    seconds = time.perf_counter() - started
    top = set(names_data.TOP_SURNAMES)
    top40 = sum(p.surnames.split()[0] in top for p in people) / size
    full = Counter((p.given_names, p.surnames) for p in people)
    shared = sum(n for n in full.values() if n > 1) / size
    (name, surname), count = full.most_common(1)[0]
    return {
        "seconds": seconds,
        "top40": top40,
        "shared": shared,
        "commonest": f"{name} {surname} ×{count}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000, 2_000_000])
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    lines = [
        "## Synthetic population",
        "",
        f"Machine: {describe()}.",
        f"Command: `python -m bench.population --sizes {' '.join(map(str, args.sizes))}` "
        f"(seed {args.seed}).",
        "",
        "| people | generation (s) | paternal surname among the 40 leading | share "
        "whose exact full name someone else has | commonest full name |",
        "| --- | --- | --- | --- | --- |",
    ]
    for size in args.sizes:
        m = measure(size, args.seed)
        lines.append(
            f"| {size:,} | {m['seconds']:.1f} | {m['top40']:.1%} | {m['shared']:.1%} "
            f"| {m['commonest']} |"
        )
    replace_section(args.doc, "population", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
