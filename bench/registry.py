"""Registry benchmark: import a large roll, strike off 4,300 members, verify, prove inclusion.

    python -m bench.registry --size 2000000 --runs 3 [--roll FILE] [--pg-url URL]

Each figure is the median of `--runs` runs on a fresh database, on SQLite and (when a
PostgreSQL URL is given, or MUSTER_TEST_PG_URL is set) on PostgreSQL, all in one session.
The roll is the synthetic population of `--size` people, or any roll file (`--roll`). Each
run also measures the import's floor on the same rows (`bench.import_floor`) and reports the
import as a ratio to it. Results go to docs/benchmarks.md (section "registry").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bench.import_floor import measure_floor, read_imported
from bench.machine import describe, replace_section

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
MUSTER = str(Path(sys.executable).parent / "muster")
ENV = {"MUSTER_REGISTRY_PASSPHRASE": "bench registry", "MUSTER_KEY_PASSPHRASE": "bench key"}
STRUCK = 4300
SEED = 2018
TREE = 1_000_000


def roll_csv(size: int, seed: int) -> Path:
    """The synthetic roll file of `size` people (made once, then reused)."""
    from muster.demo.population import generate_roll, write_roll_csv

    path = OUT / f"roll-{size}-{seed}.csv"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        write_roll_csv(path, generate_roll(size, seed))
    return path


def gnb_troops(db_url: str) -> list[str]:
    """Serial numbers of the active GNB troops and NCOs on the roll, in roll order."""
    from muster.reference_data import load_reference
    from muster.store.dialects import make_engine
    from muster.store.tables import roll

    ranks = [
        r.name_es
        for r in load_reference().ranks.values()
        if r.component == "GNB" and r.rank_class in ("enlisted", "NCO")
    ]
    engine = make_engine(db_url)
    with engine.connect() as conn:
        serials = [
            str(s)
            for (s,) in conn.execute(
                select(roll.c.serial_number)
                .where(
                    roll.c.component == "GNB",
                    roll.c.category == "active",
                    roll.c.rank.in_(ranks),
                    roll.c.serial_number.is_not(None),
                )
                .order_by(roll.c.person_id)
            )
        ]
    engine.dispose()
    return serials


def run(args: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        [MUSTER, *args], env=env, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"muster {' '.join(args)} failed:\n{proc.stderr}")
    return elapsed


def fresh_pg(url: str) -> str:
    name = f"muster_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def one_run(db_url: str, roll: Path, struck: int, workdir: Path) -> dict[str, float]:
    """One fresh registry: import and its floor, strike-off in process and by command, verify."""
    env = {**os.environ, **ENV, "MUSTER_DATABASE_URL": db_url}
    run(["init"], env, workdir)
    run(
        [
            "authority",
            "create",
            "REG",
            "--name",
            "Registro",
            "--kinds",
            "enlistment",
            "--components",
            "EB,AB,AMB,GNB,MB",
            "--key-out",
            "reg.pem",
        ],
        env,
        workdir,
    )
    run(
        [
            "authority",
            "create",
            "CG-GNB",
            "--name",
            "Comandante GNB",
            "--kinds",
            "absence,strike-off",
            "--components",
            "GNB",
            "--key-out",
            "cg.pem",
        ],
        env,
        workdir,
    )
    figures = {
        "import_s": run(
            [
                "roll",
                "import",
                str(roll),
                "--authority",
                "REG",
                "--key",
                "reg.pem",
                "--signed-on",
                "2013-12-31",
            ],
            env,
            workdir,
        )
    }
    figures.update(import_floor(db_url, workdir, figures["import_s"]))
    troops = gnb_troops(db_url)
    if len(troops) < 2 * struck:
        raise SystemExit(
            f"{roll}: {len(troops):,} active GNB troops and NCOs on the roll; the absence "
            f"and strike-off orders need {2 * struck:,} (lower --struck)"
        )
    chosen = random.Random(7).sample(troops, 2 * struck)
    lists = {}
    for name, part in (("a", chosen[:struck]), ("b", chosen[struck:])):
        lists[name] = workdir / f"deserters-{name}.txt"
        lists[name].write_text("\n".join(part) + "\n")
        run(
            [
                "order",
                "issue",
                "--kind",
                "absence",
                "--number",
                f"AUS-{name}",
                "--authority",
                "CG-GNB",
                "--key",
                "cg.pem",
                "--signed-on",
                "2016-01-01",
                "--subjects",
                str(lists[name]),
            ],
            env,
            workdir,
        )
    figures["strike_off_in_process_s"] = strike_off_in_process(db_url, workdir, lists["a"])
    figures["strike_off_command_s"] = run(
        [
            "order",
            "issue",
            "--kind",
            "strike-off",
            "--number",
            "SO-b",
            "--authority",
            "CG-GNB",
            "--key",
            "cg.pem",
            "--signed-on",
            "2018-12-21",
            "--subjects",
            str(lists["b"]),
        ],
        env,
        workdir,
    )
    figures["verify_s"] = run(["verify"], env, workdir)
    figures["proof_ms"] = 1000 * proof_time(db_url)
    return figures


def import_floor(db_url: str, workdir: Path, import_s: float) -> dict[str, float]:
    """The floor of the import just made (same rows, same bytes) and the import's ratio to it."""
    data = read_imported(db_url)
    floor = measure_floor(data, workdir)
    return {
        "people": len(data.rows),
        "floor_s": floor.total_s,
        "floor_insert_s": floor.insert_s,
        "floor_hash_s": floor.hash_s,
        "import_ratio": import_s / floor.total_s,
    }


def strike_off_in_process(db_url: str, workdir: Path, subjects: Path) -> float:
    """Draft, sign and record a strike-off in this process, commit included."""
    from muster.actor import Actor
    from muster.domain.kinds import OrderKind
    from muster.domain.orders import parse_subject_lines
    from muster.ledger import signing
    from muster.registry import drafts
    from muster.registry.opening import writing
    from muster.registry.recording import record_order
    from muster.store.dialects import make_engine

    key = signing.load_private_key(
        (workdir / "cg.pem").read_bytes(), ENV["MUSTER_KEY_PASSPHRASE"].encode()
    )
    fp = signing.fingerprint(signing.public_key_raw(key))
    refs = parse_subject_lines(subjects.read_text(), str(subjects))
    engine = make_engine(db_url)
    request = drafts.OrderRequest(
        kind=OrderKind.STRIKE_OFF,
        number="SO-a",
        authority="CG-GNB",
        signed_on=date(2018, 12, 21),
        effective=date(2018, 12, 21),
        refs=refs,
    )
    started = time.perf_counter()
    with writing(engine, ENV["MUSTER_REGISTRY_PASSPHRASE"]) as (conn, reg):
        draft = drafts.draft_order(conn, reg.origin, request)
        record_order(conn, reg, Actor("bench"), draft, signing.sign(key, draft.order_bytes), fp)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def proof_time(db_url: str) -> float:
    """Median seconds of one inclusion proof from the database (random entries)."""
    from muster.ledger import merkle
    from muster.store import ledger_store
    from muster.store.dialects import make_engine

    engine = make_engine(db_url)
    rng = random.Random(3)
    with engine.connect() as conn:
        size = ledger_store.tree_size(conn)
        reader = ledger_store.SqlNodeReader(conn)
        seconds = time_calls(lambda: merkle.inclusion_proof(rng.randrange(size), size, reader), 500)
    engine.dispose()
    return seconds


def large_tree_proof_time(leaves: int) -> float:
    """Median seconds of an inclusion proof read from a SQLite table of a large tree."""
    from muster.ledger import merkle
    from muster.store.dialects import bulk_insert, make_engine
    from muster.store.tables import merkle_nodes, metadata

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/tree.db")
        metadata.create_all(engine, tables=[merkle_nodes])
        hashes = [merkle.leaf_hash(i.to_bytes(8, "big")) for i in range(leaves)]
        tree = merkle.MemoryNodes(hashes)
        rows = (
            (lv, ix, tree.node(lv, ix))
            for lv in range(leaves.bit_length())
            for ix in range(leaves >> lv)
        )
        with engine.begin() as conn:
            bulk_insert(conn, merkle_nodes, ("level", "idx", "hash"), rows)
        from muster.store.ledger_store import SqlNodeReader

        rng = random.Random(5)
        with engine.connect() as conn:
            reader = SqlNodeReader(conn)
            seconds = time_calls(
                lambda: merkle.inclusion_proof(rng.randrange(leaves), leaves, reader), 500
            )
        engine.dispose()
    return seconds


def time_calls(fn: Callable[[], object], n: int) -> float:
    """Median seconds of one call, over n calls."""
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=2_000_000, help="people of the synthetic roll")
    parser.add_argument("--roll", type=Path, help="a roll file to import instead (docs/cli.md)")
    parser.add_argument(
        "--struck", type=int, default=STRUCK, help="subjects of the absence and strike-off orders"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--pg-url", default=os.environ.get("MUSTER_TEST_PG_URL"))
    parser.add_argument("--tree", type=int, default=TREE, help="leaves of the proof tree")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    roll = args.roll or roll_csv(args.size, args.seed)
    results: dict[str, list[dict[str, float]]] = {}
    backends = [("SQLite", None)] + ([("PostgreSQL", args.pg_url)] if args.pg_url else [])
    for name, pg in backends:
        for i in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                url = fresh_pg(pg) if pg else f"sqlite:///{tmp}/muster.db"
                figures = one_run(url, roll, args.struck, Path(tmp))
                print(name, i, json.dumps({k: round(v, 3) for k, v in figures.items()}), flush=True)
                results.setdefault(name, []).append(figures)
    big_proof_ms = 1000 * large_tree_proof_time(args.tree)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    write_doc(args, results, big_proof_ms, peak_mb)


def pg_settings(url: str | None) -> str:
    """The PostgreSQL server's version and durability settings, for the record."""
    if not url:
        return ""
    engine = create_engine(url)
    with engine.connect() as conn:
        values = [
            conn.execute(text(f"SHOW {name}")).scalar()
            for name in ("server_version", "fsync", "synchronous_commit", "shared_buffers")
        ]
    engine.dispose()
    return "PostgreSQL {} on loopback (fsync {}, synchronous_commit {}, shared_buffers {}).".format(
        *values
    )


def roll_described(args: argparse.Namespace, people: int) -> str:
    """What the benchmark imported, and the options that say so on its command line."""
    if args.roll is not None:
        return f"Roll file `{args.roll.name}` ({people:,} people)"
    return f"Roll of {args.size:,} synthetic people (seed {args.seed})"


def command_line(args: argparse.Namespace) -> str:
    """The command that wrote the section (the roll file by its name)."""
    parts = ["python -m bench.registry"]
    parts.append(f"--roll {args.roll.name}" if args.roll is not None else f"--size {args.size}")
    if args.roll is None and args.seed != SEED:
        parts.append(f"--seed {args.seed}")
    parts.append(f"--runs {args.runs}")
    if args.struck != STRUCK:
        parts.append(f"--struck {args.struck}")
    if args.tree != TREE:
        parts.append(f"--tree {args.tree}")
    if args.pg_url:
        parts.append("--pg-url URL")
    return " ".join(parts)


def write_doc(
    args: argparse.Namespace,
    results: dict[str, list[dict[str, float]]],
    big_proof_ms: float,
    peak_mb: float,
) -> None:
    struck = f"{args.struck:,}"
    rows = [
        ("import_s", "`muster roll import` of the whole roll (command, s)", "< 60", ".3f"),
        (
            "floor_s",
            "floor: the same rows into a fresh SQLite roll table, hashed to the root (s)",
            "",
            ".3f",
        ),
        ("import_ratio", "import ÷ floor (each run's own floor)", "< 1.5", ".2f"),
        (
            "strike_off_in_process_s",
            f"strike-off of {struck} subjects: draft, sign, record, commit (s)",
            "< 1",
            ".3f",
        ),
        (
            "strike_off_command_s",
            f"strike-off of {struck} subjects: whole `muster order issue` (s)",
            "< 2",
            ".3f",
        ),
        ("verify_s", "`muster verify` of that registry (command, s)", "< 60", ".3f"),
        ("proof_ms", "inclusion proof from the database, registry's own ledger (ms)", "< 1", ".3f"),
    ]
    names = list(results)
    people = int(results[names[0]][0]["people"])
    lines = [
        "## Registry",
        "",
        f"{roll_described(args, people)}; medians of {args.runs} "
        "runs on a fresh database each, all backends in one session.",
        f"Machine: {describe()}.",
        pg_settings(args.pg_url),
        f"Command: `{command_line(args)}` (`make bench`).",
        "",
        "The floor is measured in each run right after its import, on what that import stored:",
        "the same roll rows bulk-inserted in one transaction into a fresh SQLite file with the",
        "roll table and indexes of `store/tables.py`, the registry's SQLite settings and the",
        "page cache of its bulk insert, then the SHA-256 of the enlistment's subject table and",
        "the Merkle tree of the ledger's entries up to its root (`bench/import_floor.py`). The",
        "ratio divides each run's import by its own floor, so that it holds on a slower or",
        "busier machine of the same kind. Decision record: `docs/decisions/0011-import-floor.md`.",
        "",
        "| figure | target | " + " | ".join(names) + " |",
        "| --- | --- | " + " | ".join("---" for _ in names) + " |",
    ]
    for key, label, target, fmt in rows:
        cells = [format(statistics.median(r[key] for r in results[n]), fmt) for n in names]
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")
    lines += [
        f"| inclusion proof in a {args.tree:,}-leaf tree stored in SQLite (ms) | < 1 | "
        f"{big_proof_ms:.3f} |" + " |" * (len(names) - 1),
        "",
        f"Largest resident memory of any `muster` process: {peak_mb:,.0f} MB.",
        "",
        "Every run: "
        + "; ".join(
            f"{n} " + ", ".join(f"{k} {v:.2f}" for k, v in r.items() if k != "people")
            for n in names
            for r in results[n]
        ),
    ]
    replace_section(args.doc, "registry", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
