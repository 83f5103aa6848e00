"""`muster demo`: build the demo registry and show what it holds."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import typer
from pydantic import SecretStr

from muster.cli import common, progress
from muster.registry import reading

DEMO_SCREENING_DATE = date(2019, 3, 15)  # the demo screens as on this day


def demo(
    size: int = typer.Option(200_000, "--size", min=100, help="People on the synthetic roll."),
    seed: int = typer.Option(2018, "--seed", help="Seed: the same seed gives the same roll."),
    keys_dir: Path = typer.Option(
        Path("muster-demo-keys"), "--keys-dir", help="Where to write the demo authorities' keys."
    ),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve it when built."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to serve on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to serve on."),
    as_json: bool = common.JsonOption,
) -> None:
    """Build the demo registry (synthetic data) into MUSTER_DATABASE_URL, show it, serve it."""
    from muster.demo.scenario import (
        DEMO_ACCOUNTS,
        DEMO_PASSPHRASE,
        DEMO_STEPS,
        build_demo,
        demo_password,
    )

    s = common.settings()
    engine = common.engine(s)
    passphrase = s.registry_passphrase.get_secret_value() if s.registry_passphrase else None
    started = time.perf_counter()
    with progress.steps(DEMO_STEPS) as step:
        result = build_demo(engine, size, seed, passphrase, keys_dir, step)
    seconds = time.perf_counter() - started
    with engine.connect() as conn:
        stats = reading.stats(conn, s.screening_date or DEMO_SCREENING_DATE)
    if as_json:
        common.emit_json(
            {
                "created": result.created,
                "size": result.size,
                "seed": result.seed,
                "orders": result.orders,
                "seconds": round(seconds, 1),
                "stats": stats,
                "examples": result.examples,
                "database": engine.url.render_as_string(hide_password=True),
                "logins": {n: demo_password(n) for n in DEMO_ACCOUNTS},
            }
        )
    else:
        where = engine.url.render_as_string(hide_password=True)
        if result.created:
            common.say(f"demo registry built in {seconds:.1f} s: {result.orders} orders ({where})")
        else:
            common.say(f"{where} already holds the demo registry; nothing changed")
        print(f"people on the roll: {stats['total']:,}")
        for group in ("by_status", "by_category", "by_component"):
            print(f"  {group[3:]:>10}: " + ", ".join(f"{k} {v:,}" for k, v in stats[group].items()))
        print("try:")
        for label, p in result.examples.items():
            ref = p["serial_number"] or p["national_id"]
            print(f"  muster person show {ref:<14}  # {p['name']}: {label}")
        print("  muster stats --as-of 2018-12-20     # before the strike-off")
        print("  muster verify                        # check every signature and the Merkle tree")
        if result.created:
            registry_pass = "MUSTER_REGISTRY_PASSPHRASE" if passphrase else repr(DEMO_PASSPHRASE)
            print(
                f"authority keys in {keys_dir}/ (passphrase {DEMO_PASSPHRASE!r}); "
                f"registry passphrase: {registry_pass}"
            )
        print("logins (name / password / role):")
        for name, (role, posts, authority) in DEMO_ACCOUNTS.items():
            where = (
                f" at {', '.join(posts)}" if posts else (f" for {authority}" if authority else "")
            )
            print(f"  {name:<11} {demo_password(name):<22} {role.value}{where}")
    if serve:
        from muster.cli.serve_cmd import run_server

        # The demo is set in early 2019: screen as on a day its authorizations are valid.
        update = {
            "registry_passphrase": SecretStr(passphrase or DEMO_PASSPHRASE),
            "screening_date": s.screening_date or DEMO_SCREENING_DATE,
        }
        run_server(s.model_copy(update=update), host, port)
