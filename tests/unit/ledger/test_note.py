"""C2SP signed notes and checkpoints, checked against the Go reference and a live log."""

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from muster.errors import MusterError
from muster.ledger import note, signing

# golang.org/x/mod/sumdb/note, note_test.go: TestSign, TestOpen and TestNewVerifier.
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdng"
    "otpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWL"
    "ox33WWd1RvMc+QQ=\n"
)

# A signed tree head of the Go checksum database, with its published verifier key.
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_NOTE = (
    "go.sum database tree\n49189689\nftjbAOzaupaIvaPo/G+Dk63nxOZ2s1OPOKIaPtXs7S4=\n\n"
    "— sum.golang.org Az3grlKZssqRoMNPpZfKt0TphbbcF+pzXqElURJKRNFKfaUAgqeI5k2AORH0QAhg/ebRwy"
    "IqD/OqP4oLtLnNumvOBAM=\n"
)


def peter_key() -> Ed25519PrivateKey:
    encoded = PETER_SKEY.split("+", 4)[4]
    seed = base64.b64decode(encoded)
    assert seed[0] == note.ALG_ED25519
    return Ed25519PrivateKey.from_private_bytes(seed[1:])


def byte_splice(text: str, at: int, insert: str) -> str:
    """Insert at a byte offset, as the Go tests slice strings."""
    raw = text.encode()
    return (raw[:at] + insert.encode() + raw[at:]).decode()


def test_key_id_and_verifier_key_match_go() -> None:
    raw = signing.public_key_raw(peter_key())
    assert note.key_id("PeterNeumann", raw).hex() == "c74f20a3"
    assert note.verifier_key("PeterNeumann", raw) == PETER_VKEY


def test_signature_line_matches_go() -> None:
    assert note.sign_note(TEXT, "PeterNeumann", peter_key()) == TEXT + "\n" + PETER_SIG


def test_open_with_one_known_key_ignores_the_other() -> None:
    body, names = note.open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [PETER_VKEY])
    assert body == TEXT and names == ["PeterNeumann"]


def test_open_with_both_keys() -> None:
    _body, names = note.open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [PETER_VKEY, ENOCH_VKEY])
    assert names == ["PeterNeumann", "EnochRoot"]


def test_open_with_no_known_key_is_refused() -> None:
    with pytest.raises(note.UnverifiedNoteError, match="no signature by a trusted key"):
        note.open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])


def test_a_bad_signature_by_a_known_key_is_refused() -> None:
    bad = byte_splice(PETER_SIG, 60, "ABCD")
    with pytest.raises(note.InvalidNoteSignatureError, match="PeterNeumann\\+c74f20a3"):
        note.open_note(TEXT + "\n" + bad, [PETER_VKEY])


def test_duplicated_and_unknown_signatures_are_skipped() -> None:
    enoch_bad = byte_splice(ENOCH_SIG, 60, "ABCD")
    text = TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enoch_bad
    _body, names = note.open_note(text, [PETER_VKEY])
    assert names == ["PeterNeumann"]


def test_too_many_signatures_are_refused() -> None:
    with pytest.raises(note.MalformedNoteError):
        note.open_note(TEXT + "\n" + PETER_SIG * 101, [PETER_VKEY])
    _body, names = note.open_note(TEXT + "\n" + PETER_SIG * 100, [PETER_VKEY])
    assert names == ["PeterNeumann"]


def test_an_ambiguous_verifier_list_is_refused() -> None:
    other = note.Verifier("EnochRoot", bytes.fromhex("af0cfe78"), bytes(32))
    with pytest.raises(note.InvalidNoteSignatureError, match="ambiguous"):
        note.open_note(TEXT + "\n" + ENOCH_SIG, [ENOCH_VKEY, PETER_VKEY, other])
    # An ambiguity that no signature touches does not matter.
    note.open_note(TEXT + "\n" + PETER_SIG, [ENOCH_VKEY, PETER_VKEY, other])


@pytest.mark.parametrize(
    "text",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        "\udcff" + TEXT + "\n" + PETER_SIG,
        TEXT + "\n" + "— Bad Name " + PETER_SIG.split(" ")[2],
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + "-- PeterNeumann " + PETER_SIG.split(" ")[2],
        TEXT + "\n" + "— PeterNeumann AAAA\n",
        TEXT + "\n" + "— PeterNeumann not*base64\n",
        TEXT + "\n" + "— PeterNeumann\n",
    ],
)
def test_malformed_notes_are_refused(text: str) -> None:
    with pytest.raises(note.MalformedNoteError):
        note.open_note(text, [PETER_VKEY])


def test_verifier_key_manglings_are_refused() -> None:
    parsed = note.parse_verifier_key(PETER_VKEY)
    assert parsed.name == "PeterNeumann" and parsed.key_id.hex() == "c74f20a3"
    for i in range(len(PETER_VKEY) + 1):
        for j in range(i + 1, len(PETER_VKEY) + 1):
            if (i, j) != (0, len(PETER_VKEY)):
                with pytest.raises(note.VerifierKeyError):
                    note.parse_verifier_key(PETER_VKEY[i:j])
    for i in range(len(PETER_VKEY)):
        mangled = PETER_VKEY[:i] + chr(ord(PETER_VKEY[i]) + 1) + PETER_VKEY[i + 1 :]
        with pytest.raises(note.VerifierKeyError):
            note.parse_verifier_key(mangled)
    # Wrong key length and unknown algorithm, with key IDs adjusted to match (from Go).
    for bad in (
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ):
        with pytest.raises(note.VerifierKeyError):
            note.parse_verifier_key(bad)


def test_a_checkpoint_of_the_go_checksum_database_verifies() -> None:
    body, names = note.open_note(SUMDB_NOTE, [SUMDB_VKEY])
    assert names == ["sum.golang.org"]
    checkpoint = note.parse_checkpoint(body)
    assert checkpoint.origin == "go.sum database tree"
    assert checkpoint.size == 49189689
    assert base64.b64encode(checkpoint.root_hash).decode() == (
        "ftjbAOzaupaIvaPo/G+Dk63nxOZ2s1OPOKIaPtXs7S4="
    )
    tampered = SUMDB_NOTE.replace("49189689", "49189690")
    with pytest.raises(note.InvalidNoteSignatureError):
        note.open_note(tampered, [SUMDB_VKEY])


def test_the_c2sp_checkpoint_example_parses() -> None:
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    checkpoint = note.parse_checkpoint(body)
    assert (checkpoint.origin, checkpoint.size) == ("example.com/behind-the-sofa", 20852163)
    assert note.format_checkpoint(checkpoint) == body


def test_checkpoint_round_trip_with_a_signed_note() -> None:
    key = signing.generate_private_key()
    origin = "muster.registry/1a2b3c4d"
    checkpoint = note.Checkpoint(origin, 9, bytes(range(32)), ("extension line",))
    text = note.sign_note(note.format_checkpoint(checkpoint), origin, key)
    assert text.splitlines()[1] == "9"
    assert text.splitlines()[-1].startswith("— muster.registry/1a2b3c4d ")
    vkey = note.verifier_key(origin, signing.public_key_raw(key))
    body, names = note.open_note(text, [vkey])
    assert names == [origin] and note.parse_checkpoint(body) == checkpoint
    # A witness cosignature by an unknown key is ignored.
    witness = signing.generate_private_key()
    cosigned = text + note.sign_note(body, "witness.example", witness).split("\n\n", 1)[1]
    assert note.open_note(cosigned, [vkey])[1] == [origin]
    assert note.open_note(cosigned, [note.parse_verifier_key(vkey)])[1] == [origin]


def test_an_empty_tree_checkpoint() -> None:
    checkpoint = note.Checkpoint("o", 0, bytes(32))
    assert note.format_checkpoint(checkpoint).split("\n")[1] == "0"
    assert note.parse_checkpoint(note.format_checkpoint(checkpoint)) == checkpoint


@pytest.mark.parametrize(
    "body",
    [
        "origin\n9\n" + "A" * 43 + "=",
        "origin\n9\n",
        "\n9\n" + "A" * 43 + "=\n",
        "origin\n09\n" + "A" * 43 + "=\n",
        "origin\n-9\n" + "A" * 43 + "=\n",
        "origin\n+9\n" + "A" * 43 + "=\n",
        "origin\n9 \n" + "A" * 43 + "=\n",
        "origin\nnine\n" + "A" * 43 + "=\n",
        "origin\n9\n" + "A" * 42 + "==\n",
        "origin\n9\nnot base64\n",
        "origin\n9\n" + "A" * 43 + "=\n\n",
    ],
)
def test_malformed_checkpoints_are_refused(body: str) -> None:
    with pytest.raises(note.CheckpointFormatError):
        note.parse_checkpoint(body)


def test_unformattable_checkpoints_are_refused() -> None:
    for bad in (
        note.Checkpoint("", 1, bytes(32)),
        note.Checkpoint("a\nb", 1, bytes(32)),
        note.Checkpoint("o", -1, bytes(32)),
        note.Checkpoint("o", 1, bytes(31)),
        note.Checkpoint("o", 1, bytes(32), ("",)),
    ):
        with pytest.raises(note.CheckpointFormatError):
            note.format_checkpoint(bad)


def test_signing_refuses_what_could_not_be_opened() -> None:
    key = signing.generate_private_key()
    for body, name in [
        ("no newline", "k"),
        ("a\x00b\n", "k"),
        ("ok\n", "bad name"),
        ("ok\n", "a+b"),
    ]:
        with pytest.raises(note.MalformedNoteError):
            note.sign_note(body, name, key)
    assert issubclass(note.NoteError, MusterError)


@given(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.just("\n"), min_size=1).map(
        lambda s: s + "\n"
    ),
    st.from_regex(r"[A-Za-z0-9./_-]{1,20}", fullmatch=True),
)
def test_any_text_signs_and_opens(body: str, name: str) -> None:
    key = _KEY
    text = note.sign_note(body, name, key)
    vkey = note.verifier_key(name, signing.public_key_raw(key))
    assert note.open_note(text, [vkey]) == (body, [name])


_KEY = signing.generate_private_key()


def test_open_checkpoint_trusts_the_registry_key_alone() -> None:
    key, other = signing.generate_private_key(), signing.generate_private_key()
    origin = "muster.test/registry"
    verifier = note.parse_verifier_key(note.verifier_key(origin, signing.public_key_raw(key)))
    body = note.format_checkpoint(note.Checkpoint(origin, 9, bytes(32)))
    signed = note.sign_note(body, origin, key)
    assert note.open_checkpoint(signed, verifier) == note.Checkpoint(origin, 9, bytes(32))
    described = re.escape(f"{origin}+{verifier.key_id.hex()}")
    with pytest.raises(note.InvalidNoteSignatureError, match=f"registry key {described} does"):
        note.open_checkpoint(signed.replace("\n9\n", "\n10\n"), verifier)
    # the same origin line, another key: another key ID, so not the registry's signature
    theirs = note.sign_note(body, origin, other)
    with pytest.raises(
        note.UnverifiedNoteError, match=f"not signed by the registry key {described}"
    ):
        note.open_checkpoint(theirs, verifier)
    # signed by the key, but of another log
    elsewhere = note.format_checkpoint(note.Checkpoint("muster.test/other", 9, bytes(32)))
    with pytest.raises(note.CheckpointFormatError, match=r"origin is 'muster\.test/other'"):
        note.open_checkpoint(note.sign_note(elsewhere, origin, key), verifier)
    with pytest.raises(note.MalformedNoteError):
        note.open_checkpoint(body, verifier)
