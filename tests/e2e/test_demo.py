"""`muster demo`: the 2018–2019 scenario, deterministic, verifiable, only in its own registry."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.cli_helpers import Cli


def test_demo_builds_the_scenario_and_verifies(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    built = cli.json("demo", "--size", "4000", "--seed", "7", "--no-serve")
    assert built["created"] is True
    stats = built["stats"]
    assert stats["total"] == 4000
    # about 4,300 per 200,000 struck off (86 here), less the few reinstated in 2019
    assert 75 <= stats["by_status"]["struck_off"] <= 86
    assert stats["by_status"]["absent"] >= 1 and stats["by_status"]["discharged"] >= 1
    examples = built["examples"]
    deserter = examples["deserter (struck off 2018-12-21)"]
    person = cli.json("person", "show", deserter["national_id"])
    assert person["status"] == "struck_off" and person["component"] == "GNB"
    kinds = [h["kind"] for h in person["history"]]
    assert kinds == ["enlistment", "absence", "strike-off"]
    assert person["history"][-1]["order"] == "CG-GNB-OA-2018-12-21"
    before = cli.json("stats", "--as-of", "2018-12-20")
    assert before["by_status"]["struck_off"] == 0
    directive = cli.json("order", "show", "SAIME-DG-2018-0113")
    assert directive["kind"] == "exit-control" and directive["signed_on"] == "2018-11-13"
    assert cli.json("verify")["ok"] is True
    again = cli.json("demo", "--size", "4000", "--seed", "7", "--no-serve")
    assert again["created"] is False and again["stats"] == stats


def test_demo_is_deterministic(tmp_path: Path) -> None:
    a = Cli(tmp_path / "a")
    b = Cli(tmp_path / "b")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert (
        a.json("demo", "--size", "1500", "--seed", "3", "--no-serve")["examples"]
        == b.json("demo", "--size", "1500", "--seed", "3", "--no-serve")["examples"]
    )


def test_demo_refuses_a_registry_that_is_not_the_demo(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.run("init")
    proc = cli.run("demo", "--size", "1000", "--no-serve", ok=False)
    assert proc.returncode == 1 and "not the demo" in proc.stderr


# What `muster demo --size 1500 --seed 3` records, pinned: the same orders, people and subjects
# for a seed, release after release (the keys, signatures and times of recording differ).
DEMO_1500_SEED_3 = "4a0e2a37daff41ff55b99ed7156cc06a30f601890c7d569a933ca67fb4bbc204"


def test_the_demo_of_a_seed_records_the_same_orders(tmp_path: Path) -> None:
    import hashlib

    from sqlalchemy import create_engine, select

    from muster.store.tables import orders, roll

    Cli(tmp_path).json("demo", "--size", "1500", "--seed", "3", "--no-serve")
    engine = create_engine(f"sqlite:///{tmp_path / 'muster.db'}")
    pinned = [c for c in orders.c if c.name not in ("key_fingerprint",)]
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for columns, key in (
            (pinned, orders.c.seq),
            (list(roll.c), roll.c.person_id),
        ):
            for row in conn.execute(select(*columns).order_by(key)):
                digest.update(repr(tuple(row)).encode())
    engine.dispose()
    assert digest.hexdigest() == DEMO_1500_SEED_3
