"""The demo registry: a synthetic roll and the orders of the 2018–2019 scenario.

Deterministic for a seed. About 4,300 National Guard NCOs and enlisted members (scaled to the
roll size) are reported absent over 2014–2018 and struck off by one order of 2018-12-21; the
immigration service's exit-control directive of 2018-11-13; a few hundred travel
authorizations; reinstatements (amnesty) in 2019; some discharges, category changes, an
amendment.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from muster.accounts.accounts import Role, add_user
from muster.actor import Actor
from muster.demo.population import SyntheticPerson, generate_roll
from muster.domain.errors import RefusedError
from muster.domain.kinds import Category, OrderKind
from muster.domain.roll_import import ROLL_COLUMNS, check_roll_rows
from muster.ledger import signing
from muster.reference_data import load_reference
from muster.registry import authorities, drafts
from muster.registry.opening import init_registry, registry_row, writing
from muster.registry.recording import record_order
from muster.store import ledger_store
from muster.store.tables import orders

DEMO_ORIGIN = "demo.muster/registry"
DEMO_PASSPHRASE = "muster-demo"
LAST_ORDER = "MPPD-AMN-2019-0001"  # the demo is complete once this order is recorded
DESERTERS_PER_200K = 4300
K = OrderKind

DIRECTIVE_2018 = {
    "version": 2,
    "title": "Control de salida del territorio de militares y reservistas (SAIME, 2018-11-13)",
    "rules": [
        {
            "id": "absent",
            "when": {"status": ["absent"]},
            "outcome": "deny",
            "reason": "Ausente sin permiso: no puede salir del país",
        },
        {
            "id": "struck-off",
            "when": {"status": ["struck_off"]},
            "outcome": "refer",
            "reason": "Dado de baja por deserción: el caso corresponde a la justicia militar",
        },
        {
            "id": "document",
            "when": {"document": ["expired", "unknown_code"]},
            "outcome": "refer",
            "reason": "Documento de viaje vencido o con código de país desconocido: "
            "inspección secundaria",
        },
        {
            "id": "discharged",
            "when": {"status": ["discharged"]},
            "outcome": "clear",
            "reason": "Licenciado: sin restricción de salida",
        },
        {
            "id": "serving",
            "when": {"status": ["active"], "category": ["active", "reserve"]},
            "outcome": "needs_authorization",
            "reason": "Militar activo o de reserva: requiere hoja de comisión o autorización",
        },
        {
            "id": "retirees-on-reserve-duty",
            "when": {"status": ["active"], "category": ["retired_reserve"]},
            "outcome": "needs_authorization",
            "reason": "Retirado en reserva activa: requiere autorización de viaje",
        },
    ],
    "default": "clear",
}

AUTHORITIES: list[tuple[str, str, list[OrderKind], list[str], str]] = [
    (
        "REG-FANB",
        "Registro de personal de la FANB",
        [K.ENLISTMENT],
        ["EB", "AB", "AMB", "GNB", "MB"],
        "Dirección de Personal, MPPD",
    ),
    (
        "CG-GNB",
        "Comandante General de la Guardia Nacional Bolivariana",
        [
            K.ABSENCE,
            K.STRIKE_OFF,
            K.REINSTATEMENT,
            K.DISCHARGE,
            K.CATEGORY_CHANGE,
            K.AMENDMENT,
            K.TRAVEL_AUTHORIZATION,
            K.REVOCATION,
        ],
        ["GNB"],
        "M/G Jesús López Vargas",
    ),
    (
        "MPPD",
        "Ministerio del Poder Popular para la Defensa",
        [
            K.ABSENCE,
            K.REINSTATEMENT,
            K.DISCHARGE,
            K.CATEGORY_CHANGE,
            K.AMENDMENT,
            K.TRAVEL_AUTHORIZATION,
            K.REVOCATION,
        ],
        ["EB", "AB", "AMB", "GNB", "MB"],
        "Ministro de la Defensa",
    ),
    (
        "SAIME",
        "Director General del SAIME",
        [K.EXIT_CONTROL, K.REVOCATION],
        [],
        "Director General del SAIME",
    ),
]


@dataclass
class DemoResult:
    """What the demo built, and people worth trying."""

    created: bool
    size: int
    seed: int
    orders: int = 0
    examples: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class _Demo:
    engine: Engine
    passphrase: str
    keys: dict[str, Any]
    fingerprints: dict[str, str]
    actor: Actor
    count: int = 0

    def issue(self, code: str, request: drafts.OrderRequest) -> None:
        with writing(self.engine, self.passphrase) as (conn, reg):
            self.record(conn, reg, code, drafts.draft_order(conn, reg.origin, request))

    def issue_many(self, code: str, requests: Sequence[drafts.OrderRequest]) -> None:
        with writing(self.engine, self.passphrase) as (conn, reg):
            for request in requests:
                self.record(conn, reg, code, drafts.draft_order(conn, reg.origin, request))

    def record(self, conn: Any, reg: Any, code: str, draft: drafts.Draft) -> None:
        signature = signing.sign(self.keys[code], draft.order_bytes)
        record_order(conn, reg, self.actor, draft, signature, self.fingerprints[code])
        self.count += 1


def holds_demo(engine: Engine) -> bool | None:
    """True: the demo; False: another registry; None: no registry at all."""
    try:
        with engine.connect() as conn:
            origin, _public = registry_row(conn)
            size = ledger_store.tree_size(conn)
    except RefusedError:
        return None
    if origin != DEMO_ORIGIN:
        return False
    with engine.connect() as conn:
        done = conn.execute(select(orders.c.seq).where(orders.c.number == LAST_ORDER)).first()
    if done is None:
        raise RefusedError(
            "this database holds an unfinished demo registry (the build was "
            "interrupted); delete it and run `muster demo` again"
        )
    return size > 1


DEMO_STEPS = 5  # the steps `build_demo` reports: registry, people, two enlistments, scenario


def build_demo(
    engine: Engine,
    size: int,
    seed: int,
    passphrase: str | None,
    keys_dir: Path | None,
    progress: Callable[[str], None],
) -> DemoResult:
    """Build the demo registry into an empty database; refuse one holding anything else."""
    state = holds_demo(engine)
    if state is False:
        raise RefusedError(
            "this database holds a registry that is not the demo; point "
            "MUSTER_DATABASE_URL at an empty database for the demo"
        )
    if state is True:
        return DemoResult(False, size, seed, examples=find_examples(engine))
    passphrase = passphrase or DEMO_PASSPHRASE
    actor = Actor.current()
    progress("creating the registry and its authorities")
    init_registry(engine, passphrase, DEMO_ORIGIN, actor)
    demo = _Demo(engine, passphrase, {}, {}, actor)
    with writing(engine, passphrase) as (conn, _reg):
        for code, name, kinds, comps, holder in AUTHORITIES:
            key = signing.generate_private_key()
            demo.keys[code] = key
            demo.fingerprints[code] = authorities.create_authority(
                conn,
                actor,
                code=code,
                name=name,
                kinds=kinds,
                components=comps,
                holders=[holder],
                public_key=signing.public_key_raw(key),
                reference=load_reference(),
            )
    if keys_dir is not None:
        write_keys(keys_dir, demo.keys)
    progress(f"generating {size:,} people (seed {seed})")
    people = generate_roll(size, seed)
    rng = random.Random(seed)
    enlist_demo(demo, people, progress)
    progress("absences, the exit-control directive, the strike-off, authorizations, amnesty")
    scenario_orders(demo, people, rng, size)
    add_demo_accounts(engine)
    return DemoResult(True, size, seed, demo.count, find_examples(engine))


def write_keys(keys_dir: Path, keys: dict[str, Any]) -> None:
    """Write the demo authorities' keys (encrypted with the demo passphrase)."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    for code, key in keys.items():
        path = keys_dir / f"{code}.pem"
        path.write_bytes(signing.private_key_to_pem(key, DEMO_PASSPHRASE.encode()))
        os.chmod(path, 0o600)


def enlist_demo(
    demo: _Demo, people: Sequence[SyntheticPerson], progress: Callable[[str], None]
) -> None:
    """Two enlistments: the roll of 2013 and the intake of 2018 (the youngest)."""
    cut = date(1995, 12, 31)
    batches = [
        ("ENL-FANB-2013-0001", date(2013, 12, 31), [p for p in people if p.birth_date <= cut]),
        ("ENL-FANB-2018-0001", date(2018, 7, 2), [p for p in people if p.birth_date > cut]),
    ]
    positions = {c: i for i, c in enumerate(ROLL_COLUMNS)}
    for number, effective, batch in batches:
        if not batch:
            continue
        progress(f"enlistment {number}: {len(batch):,} people")
        rows = check_roll_rows(
            [p.as_row() for p in batch],
            positions,
            load_reference(),
            source=number,
            latest_birth=effective,
        )
        with writing(demo.engine, demo.passphrase) as (conn, reg):
            draft = drafts.draft_enlistment(
                reg.origin,
                rows,
                number=number,
                authority="REG-FANB",
                signed_on=effective,
                effective=effective,
                grounds="Registro de personal",
            )
            demo.record(conn, reg, "REG-FANB", draft)


def request(
    kind: OrderKind, number: str, code: str, day: date, refs: Sequence[str] = (), **kw: Any
) -> drafts.OrderRequest:
    return drafts.OrderRequest(
        kind=kind,
        number=number,
        authority=code,
        signed_on=day,
        effective=day,
        refs=list(refs),
        **kw,
    )


def is_troop(p: SyntheticPerson) -> bool:
    """Whether a person is a non-commissioned officer or enlisted member."""
    rank = load_reference().find_rank(p.component, p.rank)
    return rank is not None and rank.rank_class in ("NCO", "enlisted")


def scenario_orders(
    demo: _Demo, people: Sequence[SyntheticPerson], rng: random.Random, size: int
) -> None:
    """The scenario's orders, in the order they are recorded (the seed's draws taken in the
    same order every time, so that a seed gives the same ledger)."""
    old = [p for p in people if p.birth_date <= date(1995, 12, 31)]
    scale = size / 200_000
    deserters = report_deserters(demo, old, rng, scale)
    demo.issue("SAIME", exit_control_directive())
    demo.issue("CG-GNB", strike_off(deserters))
    cohorts = Cohorts.drawn(old, deserters, rng, scale)
    requests_by = travel_authorizations(cohorts.travellers, rng)
    for code, gnb in (("CG-GNB", True), ("MPPD", False)):
        requests_by[code].extend(service_changes(code, cohorts, gnb))
    correction = name_correction(cohorts.others)
    if correction is not None:
        requests_by[correction.authority].append(correction)
    for code, reqs in requests_by.items():
        demo.issue_many(code, reqs)
    demo.issue("MPPD", amnesty(deserters, rng))


def authority_of(p: SyntheticPerson) -> str:
    """The office that signs a person's orders: the GNB's commander, else the ministry."""
    return "CG-GNB" if p.component == "GNB" else "MPPD"


def report_deserters(
    demo: _Demo, old: Sequence[SyntheticPerson], rng: random.Random, scale: float
) -> list[SyntheticPerson]:
    """Draw the GNB's deserters and report them absent, quarter by quarter over 2014–2018."""
    gnb_troops = [p for p in old if p.component == "GNB" and p.category == "active" and is_troop(p)]
    deserters = rng.sample(
        gnb_troops, min(len(gnb_troops), max(1, round(DESERTERS_PER_200K * scale)))
    )
    quarters = [date(y, m, 15) for y in range(2014, 2019) for m in (2, 5, 8, 11)]
    by_quarter: dict[date, list[str]] = {}
    for p in deserters:
        by_quarter.setdefault(rng.choice(quarters), []).append(p.serial_number)
    demo.issue_many(
        "CG-GNB",
        [
            request(
                K.ABSENCE,
                f"CG-GNB-AUS-{q:%Y%m}",
                "CG-GNB",
                q,
                refs,
                grounds="Abandono del servicio sin permiso",
            )
            for q, refs in sorted(by_quarter.items())
        ],
    )
    return deserters


def exit_control_directive() -> drafts.OrderRequest:
    """The immigration service's directive of 2018-11-13."""
    return request(
        K.EXIT_CONTROL,
        "SAIME-DG-2018-0113",
        "SAIME",
        date(2018, 11, 13),
        rules=DIRECTIVE_2018,
        grounds="Circular a puntos de control migratorio",
    )


def strike_off(deserters: Sequence[SyntheticPerson]) -> drafts.OrderRequest:
    """The GNB commander's order of 2018-12-21 striking every deserter off the rolls."""
    return request(
        K.STRIKE_OFF,
        "CG-GNB-OA-2018-12-21",
        "CG-GNB",
        date(2018, 12, 21),
        [p.serial_number for p in deserters],
        grounds="Baja por deserción (abandono del servicio 2014–2018)",
    )


@dataclass(frozen=True)
class Cohorts:
    """The people, other than deserters, that the scenario's other orders name."""

    travellers: list[SyntheticPerson]
    discharged: list[SyntheticPerson]
    recategorised: list[SyntheticPerson]
    absent_now: list[SyntheticPerson]
    others: list[SyntheticPerson]  # named by none of these

    @classmethod
    def drawn(
        cls,
        old: Sequence[SyntheticPerson],
        deserters: Sequence[SyntheticPerson],
        rng: random.Random,
        scale: float,
    ) -> Cohorts:
        taken = {p.serial_number for p in deserters}
        others = [p for p in old if p.serial_number not in taken]
        rng.shuffle(others)
        n_ta, n_dis, n_cat, n_abs = (max(5, round(x * scale)) for x in (300, 200, 200, 50))
        travellers, others = others[:n_ta], others[n_ta:]
        discharged, others = others[:n_dis], others[n_dis:]
        recategorised = [p for p in others[:n_cat] if p.category != "retired_reserve"]
        others = others[n_cat:]
        absent_now, others = others[:n_abs], others[n_abs:]
        return cls(travellers, discharged, recategorised, absent_now, others)


def travel_authorizations(
    travellers: Sequence[SyntheticPerson], rng: random.Random
) -> dict[str, list[drafts.OrderRequest]]:
    """A travel authorization of 2019 for each traveller, by the office that signs it."""
    requests_by: dict[str, list[drafts.OrderRequest]] = {"CG-GNB": [], "MPPD": []}
    for i, p in enumerate(travellers):
        code = authority_of(p)
        start = date(2019, 1, 7) + timedelta(days=rng.randrange(0, 120))
        requests_by[code].append(
            request(
                K.TRAVEL_AUTHORIZATION,
                f"{code}-AV-2019-{i + 1:04d}",
                code,
                start - timedelta(days=3),
                [p.serial_number],
                valid_from=start,
                valid_until=start + timedelta(days=rng.choice((30, 60, 90))),
                grounds="Hoja de comisión / autorización de viaje",
            )
        )
    return requests_by


def service_changes(code: str, cohorts: Cohorts, gnb: bool) -> list[drafts.OrderRequest]:
    """One office's discharges (2016), moves to the reserve (2017) and absences (2019), for
    the GNB's people (`gnb`) or everyone else's."""

    def mine(group: Sequence[SyntheticPerson]) -> list[SyntheticPerson]:
        return [p for p in group if (p.component == "GNB") == gnb]

    found: list[drafts.OrderRequest] = []
    discharged = [p.serial_number for p in mine(cohorts.discharged)]
    if discharged:
        found.append(
            request(
                K.DISCHARGE,
                f"{code}-LIC-2016-0001",
                code,
                date(2016, 7, 1),
                discharged,
                grounds="Licenciamiento",
            )
        )
    cats = mine(cohorts.recategorised)
    for cat in ("reserve", "retired_reserve"):
        moved = [p.serial_number for p in cats if (p.category == "active") == (cat == "reserve")]
        if moved:
            found.append(
                request(
                    K.CATEGORY_CHANGE,
                    f"{code}-CAT-2017-{cat}",
                    code,
                    date(2017, 3, 1),
                    moved,
                    category=Category(cat),
                    grounds="Pase a la reserva",
                )
            )
    late = [p.serial_number for p in mine(cohorts.absent_now)]
    if late:
        found.append(
            request(
                K.ABSENCE,
                f"{code}-AUS-2019-0001",
                code,
                date(2019, 3, 1),
                late,
                grounds="Ausencia sin permiso",
            )
        )
    return found


def name_correction(others: Sequence[SyntheticPerson]) -> drafts.OrderRequest | None:
    """An amendment of 2015 dropping the second given name of the first person with two."""
    two_names = [p for p in others if len(p.given_names.split()) == 2]
    if not two_names:
        return None
    p = two_names[0]
    code = authority_of(p)
    return request(
        K.AMENDMENT,
        f"{code}-RECT-2015-0001",
        code,
        date(2015, 4, 1),
        [p.serial_number],
        changes={"given_names": p.given_names.split()[0]},
        grounds="Corrección de nombre",
    )


def amnesty(deserters: Sequence[SyntheticPerson], rng: random.Random) -> drafts.OrderRequest:
    """The ministry's reinstatement of 2019-02-15: one deserter in a hundred, by cédula."""
    returning = rng.sample(list(deserters), max(1, len(deserters) // 100))
    return request(
        K.REINSTATEMENT,
        LAST_ORDER,
        "MPPD",
        date(2019, 2, 15),
        [p.national_id for p in returning],
        grounds="Amnistía a militares que se reincorporan",
    )


DEMO_ACCOUNTS: dict[str, tuple[Role, list[str], str | None]] = {
    "admin": (Role.ADMIN, [], None),
    "clerk": (Role.CLERK, [], None),
    "comandante": (Role.AUTHORITY, [], "CG-GNB"),
    "oficial": (Role.OFFICER, ["SBOL"], None),
    "supervisor": (Role.SUPERVISOR, ["SBOL"], None),
    "auditor": (Role.AUDITOR, [], None),
}


def demo_password(name: str) -> str:
    """The demo account's password (synthetic data, published in the docs)."""
    return f"{name}-demo-2019"


def add_demo_accounts(engine: Engine) -> None:
    """One account per role, for trying the service."""
    with engine.begin() as conn:
        for name, (role, posts, authority) in DEMO_ACCOUNTS.items():
            add_user(
                conn,
                name,
                role,
                demo_password(name),
                post_codes=posts,
                authority=authority,
                created_by="demo",
            )


def find_examples(engine: Engine) -> dict[str, dict[str, str]]:
    """People worth trying: a deserter, an authorised reservist, a reinstated member…"""
    from muster.store.tables import order_subjects, roll

    wanted = {
        "deserter (struck off 2018-12-21)": (roll.c.status == "struck_off", None),
        "reinstated under the 2019 amnesty": (roll.c.reinstated.is_(True), None),
        "absent without leave": (roll.c.status == "absent", None),
        "authorised to travel": (roll.c.status == "active", K.TRAVEL_AUTHORIZATION.value),
        "discharged": (roll.c.status == "discharged", None),
    }
    out: dict[str, dict[str, str]] = {}
    with engine.connect() as conn:
        for label, (cond, kind) in wanted.items():
            query = select(roll).where(cond)
            if kind is not None:
                query = (
                    query.join(order_subjects, order_subjects.c.person_id == roll.c.person_id)
                    .join(orders, orders.c.seq == order_subjects.c.order_seq)
                    .where(orders.c.kind == kind, roll.c.category == "reserve")
                )
            row = conn.execute(query.order_by(roll.c.person_id).limit(1)).first()
            if row is not None:
                out[label] = {
                    "serial_number": row.serial_number or "",
                    "national_id": row.national_id,
                    "name": f"{row.given_names} {row.surnames}",
                }
    return out
