"""`muster token revoke` through the installed executable: exactly the token named, or none."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from muster.accounts import accounts
from muster.store.dialects import make_engine
from tests.e2e.cli_helpers import Cli


def test_token_revoke_names_one_token_exactly(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.run("init")
    cli.run("user", "add", "robot", "--role", "auditor", env={"MUSTER_USER_PASSWORD": "pw-robot-1"})
    engine = make_engine(cli.env["MUSTER_DATABASE_URL"])
    by_start: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with engine.begin() as conn:  # tokens until two ids begin alike
        while max((len(v) for v in by_start.values()), default=0) < 2:
            token, token_id = accounts.create_token(conn, "robot", None)
            by_start[token_id[:2]].append((token, token_id))
    engine.dispose()
    (first, first_id), (second, second_id) = next(v for v in by_start.values() if len(v) == 2)
    refused = cli.run("token", "revoke", first_id[:2], ok=False)
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"error: '{first_id[:2]}' is not a token id: give the 12")
    assert refused.stdout == ""
    assert cli.run("token", "revoke", first_id).stderr == f"token {first_id} revoked\n"
    again = cli.run("token", "revoke", first, ok=False)  # the token itself, revoked already
    assert again.returncode == 1 and f"token {first_id} was revoked already" in again.stderr
    states = {t["id"]: t["state"] for t in cli.json("token", "list")["tokens"]}
    assert states[first_id] == "revoked"
    assert {s for i, s in states.items() if i != first_id} == {"active"}  # second_id too
    assert states[second_id] == "active"
    assert cli.run("token", "revoke", second).stderr == f"token {second_id} revoked\n"
