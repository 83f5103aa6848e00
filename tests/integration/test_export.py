"""An export in open formats verifies with no database, against the registry key it is
given, and a tampered one fails naming the first thing that does not verify."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from muster.domain.errors import InvalidInputError
from muster.domain.kinds import OrderKind as K
from muster.ledger import signing, tiles
from muster.registry.export import export_ledger, verify_export
from muster.registry.opening import registry_row
from muster.registry.trust import KeyMismatchError, trusted_key
from muster.store.dialects import make_engine
from tests.factories import enlist, new_authority, new_registry, roll_rows
from tests.integration.test_verify import built

__all__ = ["built"]

VKEY = "keys/registry.vkey"
BUNDLE = "tile/entries/000.p/9"


@pytest.fixture
def out(built: Engine, tmp_path: Path) -> Path:
    """The export of the registry `built` makes: 9 entries, 12 people."""
    with built.connect() as conn:
        export_ledger(conn, tmp_path / "export")
    return tmp_path / "export"


@pytest.fixture
def other(tmp_path: Path) -> Path:
    """The export of another registry with the same origin line, and a key of its own."""
    engine = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    new_registry(engine)
    clerk = new_authority(engine, "REG-GNB", [K.ENLISTMENT], ["GNB"])
    enlist(engine, clerk, roll_rows(3), "ENL-1")
    with engine.connect() as conn:
        export_ledger(conn, tmp_path / "other")
    engine.dispose()
    return tmp_path / "other"


def registry_fingerprint(engine: Engine) -> str:
    with engine.connect() as conn:
        return signing.fingerprint(registry_row(conn)[1])


def test_export_verifies_without_a_database(built: Engine, out: Path) -> None:
    assert (out / "checkpoint").is_file() and (out / VKEY).is_file()
    report = verify_export(out)
    assert report.ok, report.messages
    assert report.tree_size == 9 and report.people == 12 and report.last_order == "AMD-1"
    # without a key it is checked against its own, and says so; origin and key always named
    assert report.key_source == "own" and report.origin == "muster.test/registry"
    assert report.key_fingerprint == registry_fingerprint(built)
    # a changed subject table is caught by its digest
    table = next((out / "subjects").glob("*.json"))
    table.write_bytes(table.read_bytes().replace(b"GNB", b"GNX"))
    assert not verify_export(out).ok


def test_the_registry_key_given_or_pinned_is_the_one_trusted(built: Engine, out: Path) -> None:
    fp = registry_fingerprint(built)
    by_file = verify_export(out, trusted_key(str(out / VKEY), None))
    by_text = verify_export(out, trusted_key((out / VKEY).read_text(), None))
    pinned = verify_export(out, trusted_key(None, fp.upper()))
    both = verify_export(out, trusted_key(str(out / VKEY), fp))
    for report, source in [(by_file, "key"), (by_text, "key"), (pinned, "fingerprint")]:
        assert report.ok, report.messages
        assert report.key_source == source and report.key_fingerprint == fp
    assert both.ok and both.key_source == "key"


def test_an_export_of_another_registry_with_the_same_origin(
    built: Engine, out: Path, other: Path
) -> None:
    theirs = verify_export(other)
    assert theirs.ok and theirs.key_source == "own"  # consistent, but only with its own key
    assert theirs.origin == "muster.test/registry" != theirs.key_fingerprint
    ours = trusted_key(str(out / VKEY), None)
    report = verify_export(other, ours)
    assert report.key_fingerprint == registry_fingerprint(built)
    assert report.messages[0].startswith(
        f"{VKEY}: the registry key muster.test/registry {theirs.key_fingerprint} "
        f"is not the key given (muster.test/registry {report.key_fingerprint})"
    )
    assert report.messages[1].startswith(
        "checkpoint: not signed by the registry key muster.test/registry+"
    )
    assert any(p.startswith("ledger entry 0: records the registry key") for p in report.messages)
    pinned = verify_export(other, trusted_key(None, registry_fingerprint(built)))
    assert pinned.messages[0] == (
        f"{VKEY}: the registry key has the fingerprint {theirs.key_fingerprint}, "
        f"not the one pinned ({registry_fingerprint(built)})"
    )
    assert pinned.messages[1] == "checkpoint: not checked, no trusted registry key to check it with"
    # their key file and checkpoint put into our export: its own key no longer signs it
    (out / VKEY).write_text((other / VKEY).read_text())
    assert (
        verify_export(out)
        .messages[0]
        .startswith("checkpoint: not signed by the registry key muster.test/registry+")
    )
    (out / VKEY).write_text((other / VKEY).read_text().replace("muster.test", "muster.fake"))
    assert verify_export(out).messages[0].startswith(f"{VKEY}: not a verifier key")


def test_a_key_and_a_fingerprint_that_disagree_are_refused(out: Path, other: Path) -> None:
    theirs = verify_export(other).key_fingerprint
    with pytest.raises(KeyMismatchError, match="not the one pinned with --fingerprint"):
        trusted_key(str(out / VKEY), theirs)
    with pytest.raises(InvalidInputError, match="expected 64 hexadecimal digits"):
        trusted_key(None, "abc123")
    with pytest.raises(InvalidInputError, match="no such file, and not a verifier key"):
        trusted_key("missing.vkey", None)
    (out / "two.vkey").write_text((out / VKEY).read_text() * 2)
    with pytest.raises(InvalidInputError, match="expected one line"):
        trusted_key(str(out / "two.vkey"), None)


def rewrite(path: Path, change: Callable[[bytes], bytes]) -> None:
    path.write_bytes(change(path.read_bytes()))


def tree_size_changed(out: Path) -> None:
    rewrite(out / "checkpoint", lambda b: b.replace(b"\n9\n", b"\n10\n", 1))


def signature_damaged(out: Path) -> None:
    lines = (out / "checkpoint").read_text().split("\n")
    name, sig = lines[-2].rsplit(" ", 1)
    raw = bytearray(base64.b64decode(sig))
    raw[10] ^= 1
    lines[-2] = f"{name} {base64.b64encode(bytes(raw)).decode()}"
    (out / "checkpoint").write_text("\n".join(lines))


def entry_altered(out: Path) -> None:
    bundle = tiles.decode_bundle((out / BUNDLE).read_bytes(), BUNDLE)
    bundle[4] = bundle[4].replace(b'"at":"2', b'"at":"1', 1)
    (out / BUNDLE).write_bytes(tiles.encode_bundle(bundle))


def stray_bundle(out: Path) -> None:
    (out / "tile/entries/001.p/1").parent.mkdir(parents=True)
    (out / "tile/entries/001.p/1").write_bytes(tiles.encode_bundle([b"{}"]))


def first_published(out: Path) -> Path:
    return min((out / "checkpoints").iterdir(), key=lambda p: int(p.name))


TAMPERED: dict[str, tuple[Callable[[Path], None], str]] = {
    "tree size in the checkpoint": (
        tree_size_changed,
        "checkpoint: the signature by the registry key muster.test/registry+",
    ),
    "bad checkpoint signature": (
        signature_damaged,
        "checkpoint: the signature by the registry key muster.test/registry+",
    ),
    "checkpoint deleted": (lambda out: (out / "checkpoint").unlink(), "checkpoint: missing"),
    "checkpoint not a note": (
        lambda out: (out / "checkpoint").write_text("muster.test/registry\n9\n"),
        "checkpoint: no blank line separating the text from its signatures",
    ),
    "bundle deleted": (
        lambda out: (out / BUNDLE).unlink(),
        f"{BUNDLE}: missing; the log holds 9 entries and this bundle holds entries 0 to 8",
    ),
    "bundle framing: a byte added": (
        lambda out: rewrite(out / BUNDLE, lambda b: b + b"\x00"),
        f"{BUNDLE}: cut short inside the length of entry 9",
    ),
    "bundle framing: cut short": (
        lambda out: rewrite(out / BUNDLE, lambda b: b[:-5]),
        f"{BUNDLE}: entry 8 is ",
    ),
    "bundle framing: a length changed": (
        lambda out: rewrite(out / BUNDLE, lambda b: b"\x00\x00" + b),
        f"{BUNDLE}: holds 10 entries; expected 9",
    ),
    "entry altered, framing kept": (
        entry_altered,
        "checkpoint: its root hash does not match the exported entries (an entry was altered)",
    ),
    "hash tile altered": (
        lambda out: rewrite(out / "tile/0/000.p/9", lambda b: b[:64] + bytes(32) + b[96:]),
        "tile/0/000.p/9: hash 2 does not match the entries",
    ),
    "bundle beyond the log": (stray_bundle, "tile/entries/001.p/1: beyond the 9 entries"),
    "published checkpoint altered": (
        lambda out: rewrite(first_published(out), lambda b: b.replace(b"\n", b"\n\n", 1)),
        "checkpoints/1: the signature by the registry key muster.test/registry+",
    ),
    "subject table altered": (
        lambda out: rewrite(
            next((out / "subjects").glob("*.json")), lambda b: b.replace(b"GNB", b"GNX")
        ),
        "ledger entry 5 (order ENL-1): its subject list is missing or altered",
    ),
}


@pytest.mark.parametrize("how", list(TAMPERED))
def test_a_tampered_export_names_the_first_thing_that_does_not_verify(out: Path, how: str) -> None:
    tamper, first = TAMPERED[how]
    tamper(out)
    report = verify_export(out, trusted_key(None, None))
    assert not report.ok
    assert report.messages[0].startswith(first), report.messages
    with_key = verify_export(out, trusted_key(str(out / VKEY), None))
    assert with_key.messages[0] == report.messages[0]


def test_a_checkpoint_whose_size_changed_is_not_trusted_for_what_to_read(out: Path) -> None:
    """The unverified size would have the bundle for 10 entries read and reported missing."""
    tree_size_changed(out)
    report = verify_export(out)
    assert not any("missing" in p for p in report.messages), report.messages
    assert report.tree_size == 9  # the bundles present, read once the checkpoint failed


def test_a_directory_that_is_no_export_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="not a Muster ledger export"):
        verify_export(tmp_path)
    with pytest.raises(InvalidInputError, match="not a Muster ledger export"):
        verify_export(tmp_path / "nowhere")
