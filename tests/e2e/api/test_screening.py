"""Screening at the Simón Bolívar bridge, on the demo registry, through the HTTP API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from muster.actor import Actor
from muster.api.app import create_app
from muster.config import Settings
from muster.demo.scenario import DEMO_PASSPHRASE, build_demo, demo_password
from muster.documents.mrz_build import make_td3
from muster.domain.kinds import OrderKind
from muster.ledger import signing
from muster.registry import drafts
from muster.registry.opening import writing
from muster.registry.recording import record_order
from muster.store.dialects import make_engine
from muster.store.tables import order_subjects, orders, roll
from tests.e2e.api.conftest import wait_ready


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Path]]:
    root = tmp_path_factory.mktemp("screening")
    engine = make_engine(f"sqlite:///{root / 'demo.db'}")
    build_demo(engine, 20_000, 11, None, root / "keys", lambda _m: None)
    yield engine, root
    engine.dispose()


def person(engine: Engine, *conditions: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(roll).where(*conditions).order_by(roll.c.person_id)).first()


def reservist_with_authorization(engine: Engine) -> tuple[Any, Any]:
    with engine.connect() as conn:
        return conn.execute(
            select(roll, orders.c.number, orders.c.valid_from, orders.c.authority_code)
            .join(order_subjects, order_subjects.c.person_id == roll.c.person_id)
            .join(orders, orders.c.seq == order_subjects.c.order_seq)
            .where(
                orders.c.kind == "travel-authorization",
                roll.c.category == "reserve",
                roll.c.status == "active",
            )
            .order_by(orders.c.seq)
        ).first(), None


def client_on(engine: Engine, day: date) -> TestClient:
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(
        database_url=url,
        registry_passphrase=DEMO_PASSPHRASE,  # type: ignore[arg-type]
        screening_date=day,
    )
    return TestClient(create_app(settings))


def login(client: TestClient) -> dict[str, str]:
    token = client.post(
        "/api/v1/auth/login", json={"name": "oficial", "password": demo_password("oficial")}
    ).json()["token"]
    client.cookies.clear()
    return {"Authorization": f"Bearer {token}"}


def typed(row: Any) -> dict[str, Any]:
    return {
        "post": "SBOL",
        "direction": "exit",
        "identity": {
            "given_names": row.given_names,
            "surnames": row.surnames,
            "birth_date": str(row.birth_date),
            "national_id": row.national_id,
        },
    }


def test_the_2018_directive_at_the_bridge(demo: tuple[Engine, Path]) -> None:
    engine, root = demo
    found, _ = reservist_with_authorization(engine)
    assert found is not None, "the demo has authorised reservists"
    day = found.valid_from + timedelta(days=1)
    deserter = person(engine, roll.c.status == "struck_off")
    absent = person(engine, roll.c.status == "absent")
    with client_on(engine, day) as client:
        wait_ready(client)
        auth = login(client)
        by_mrz = make_td3(
            surnames=deserter.surnames,
            given_names=deserter.given_names,
            number="123456789",
            birth=deserter.birth_date,
            sex=deserter.sex,
            expiry=date(2022, 1, 1),
            personal=deserter.national_id.replace("-", ""),
        )
        answer = client.post(
            "/api/v1/screenings",
            headers=auth,
            json={"post": "SBOL", "direction": "exit", "mrz": by_mrz},
        ).json()
        assert answer["decision"] == "refer"  # struck off: a case for military justice
        assert answer["match"]["verdict"] == "match"
        assert answer["person"]["status"] == "struck_off"
        assert answer["person"]["serial_number"]  # the serial number they last held
        assert any(r.get("rule") == "struck-off" for r in answer["reasons"])
        assert (
            client.post("/api/v1/screenings", headers=auth, json=typed(absent)).json()["decision"]
            == "deny"
        )
        granted = client.post("/api/v1/screenings", headers=auth, json=typed(found)).json()
        assert granted["decision"] == "authorized"
        assert granted["authorization"]["order"] == found.number
        stranger = client.post(
            "/api/v1/screenings",
            headers=auth,
            json={
                "post": "SBOL",
                "direction": "exit",
                "identity": {
                    "given_names": "PERSONA",
                    "surnames": "DESCONOCIDA",
                    "birth_date": "1980-01-01",
                    "national_id": "V-99999999",
                },
            },
        ).json()
        assert stranger["decision"] == "clear" and stranger["person"] is None
        assert "V-" not in str(granted["person"])  # an officer sees a minimal summary
        elsewhere = client.post(
            "/api/v1/screenings", headers=auth, json=dict(typed(found), post="FPSA")
        )
        assert elsewhere.status_code == 403
    revoke(engine, root, found.authority_code, found.number, day - timedelta(days=1))
    with client_on(engine, day) as client:
        wait_ready(client)
        again = client.post("/api/v1/screenings", headers=login(client), json=typed(found))
        assert again.json()["decision"] == "deny"  # the authorization no longer counts


def revoke(engine: Engine, root: Path, code: str, number: str, effective: date) -> None:
    key = signing.load_private_key(
        (root / "keys" / f"{code}.pem").read_bytes(), DEMO_PASSPHRASE.encode()
    )
    request = drafts.OrderRequest(
        kind=OrderKind.REVOCATION,
        number=f"REV-{number}",
        authority=code,
        signed_on=effective,
        effective=effective,
        revokes=number,
    )
    with writing(engine, DEMO_PASSPHRASE) as (conn, reg):
        draft = drafts.draft_order(conn, reg.origin, request)
        record_order(
            conn,
            reg,
            Actor("test"),
            draft,
            signing.sign(key, draft.order_bytes),
            signing.fingerprint(signing.public_key_raw(key)),
        )


def test_a_failed_document_needs_the_typed_identity(demo: tuple[Engine, Path]) -> None:
    engine, _root = demo
    someone = person(engine, roll.c.status == "active")
    lines = make_td3(
        surnames=someone.surnames,
        given_names=someone.given_names,
        number="987654321",
        birth=someone.birth_date,
        sex=someone.sex,
        expiry=date(2022, 1, 1),
    )
    broken = [lines[0], lines[1][:19] + str((int(lines[1][19]) + 1) % 10) + lines[1][20:]]
    with client_on(engine, date(2019, 3, 1)) as client:
        wait_ready(client)
        auth = login(client)
        refused = client.post(
            "/api/v1/screenings",
            headers=auth,
            json={"post": "SBOL", "direction": "exit", "mrz": broken},
        )
        assert refused.status_code == 400
        assert "birth date check digit" in refused.json()["detail"]
        typed_too = client.post(
            "/api/v1/screenings", headers=auth, json={**typed(someone), "mrz": broken}
        ).json()
        assert typed_too["document_checks_passed"] is False
        crossing = client.get(f"/api/v1/crossings/{typed_too['crossing_id']}", headers=auth).json()
        assert crossing["decision"] == typed_too["decision"]


def test_an_expired_or_unknown_document_is_a_finding_the_directive_refers(
    demo: tuple[Engine, Path],
) -> None:
    import json

    from muster.store.tables import crossings

    engine, _root = demo
    discharged = person(engine, roll.c.status == "discharged")
    day = date(2019, 3, 15)

    def passport(expiry: date, nationality: str = "VEN") -> list[str]:
        return make_td3(
            surnames=discharged.surnames,
            given_names=discharged.given_names,
            number="123456789",
            nationality=nationality,
            birth=discharged.birth_date,
            sex=discharged.sex,
            expiry=expiry,
            personal=discharged.national_id.replace("-", ""),
        )

    with client_on(engine, day) as client:
        wait_ready(client)
        auth = login(client)

        def screen(lines: list[str]) -> dict[str, Any]:
            body = {"post": "SBOL", "direction": "exit", "mrz": lines}
            answer = client.post("/api/v1/screenings", headers=auth, json=body)
            assert answer.status_code == 200, answer.text
            return dict(answer.json())

        valid = screen(passport(date(2024, 1, 1)))
        assert valid["decision"] == "clear"  # discharged: free to leave
        assert valid["document_checks_passed"] is True and valid["document_findings"] == []
        expired = screen(passport(date(2019, 3, 14)))  # the day before the screening day
        assert expired["match"]["verdict"] == "match"  # the zone's data is still used
        assert expired["decision"] == "refer"
        assert expired["document_checks_passed"] is False
        assert [(f["code"], f["field"]) for f in expired["document_findings"]] == [
            ("expired", "expiry_date")
        ]
        codes = [r["code"] for r in expired["reasons"]]
        assert "document:expired" in codes
        assert any(r.get("rule") == "document" for r in expired["reasons"])
        unknown = screen(passport(date(2024, 1, 1), nationality="QQQ"))
        assert unknown["decision"] == "refer"
        (reason,) = [r for r in unknown["reasons"] if r["code"] == "document:unknown_code"]
        assert reason["field"] == "nationality" and "'QQQ'" in reason["text"]
    with engine.connect() as conn:
        row = conn.execute(select(crossings).where(crossings.c.id == expired["crossing_id"])).one()
    document = json.loads(row.document)
    assert document["checks_passed"] is False and document["problems"] == []
    assert document["findings"][0]["code"] == "expired"
    assert "document:expired" in [r["code"] for r in json.loads(row.reasons)]


def test_a_typed_birth_date_reads_as_muster_match_reads_it(demo: tuple[Engine, Path]) -> None:
    from muster.matching import Matcher, Member
    from muster.matching import Traveler as FileTraveler

    engine, _root = demo
    someone = person(engine, roll.c.status == "discharged")
    born = someone.birth_date
    with client_on(engine, date(2019, 3, 15)) as client:
        wait_ready(client)
        auth = login(client)

        def screen(birth_date: str) -> Any:
            body = typed(someone)
            body["identity"] = {**body["identity"], "birth_date": birth_date}
            return client.post("/api/v1/screenings", headers=auth, json=body)

        iso = screen(born.isoformat()).json()
        day_first = screen(born.strftime("%d/%m/%Y"))
        assert day_first.status_code == 200, day_first.text
        assert day_first.json()["match"] == iso["match"]
        assert "birth date exact" in " ".join(day_first.json()["match"]["reasons"])
        refused = screen("31/31/1995")
        assert refused.status_code == 400
        assert refused.json()["detail"] == (
            "identity.birth_date: '31/31/1995' is not a date: "
            "expected YYYY-MM-DD (or DD/MM/YYYY, YYYYMMDD)"
        )
    # muster match reads the same text the same way
    member = Member.from_roll_row(
        {
            "serial_number": "S-1",
            "national_id": someone.national_id,
            "given_names": someone.given_names,
            "surnames": someone.surnames,
            "birth_date": born.isoformat(),
            "sex": someone.sex,
        },
        "1",
    )
    matcher = Matcher.from_members([member])
    text = born.strftime("%d/%m/%Y")
    reasons = matcher.match(FileTraveler(someone.given_names, someone.surnames, text)).reasons()
    assert "birth date exact" in reasons


def test_a_cedula_read_from_a_zone_names_the_zone_field(demo: tuple[Engine, Path]) -> None:
    engine, _root = demo
    someone = person(engine, roll.c.status == "discharged")
    digits = someone.national_id.replace("-", "")[1:]
    fields = {
        "surnames": someone.surnames,
        "given_names": someone.given_names,
        "birth": someone.birth_date,
        "sex": someone.sex,
        "expiry": date(2024, 1, 1),
    }
    with client_on(engine, date(2019, 3, 15)) as client:
        wait_ready(client)
        auth = login(client)

        def reasons(body: dict[str, Any]) -> str:
            answer = client.post("/api/v1/screenings", headers=auth, json=body)
            assert answer.status_code == 200, answer.text
            return " ".join(answer.json()["match"]["reasons"])

        personal = make_td3(number="X1234567", personal=digits, **fields)
        by_number = make_td3(number=digits, **fields)
        zone = {"post": "SBOL", "direction": "exit"}
        assert "cédula exact, as the zone's personal number" in reasons({**zone, "mrz": personal})
        assert "cédula exact, as the zone's document number" in reasons({**zone, "mrz": by_number})
        body = typed(someone)
        body["identity"] = {**body["identity"], "national_id": None, "document_number": digits}
        assert "cédula exact, as the typed document number" in reasons(body)
