"""C2SP signed notes and tlog-checkpoints, Ed25519 only.

A checkpoint (c2sp.org/tlog-checkpoint) is the text `<origin>\\n<size>\\n<base64 root>\\n`
plus optional extension lines. A signed note (c2sp.org/signed-note) is a text ending in a
newline, a blank line, and signature lines `— <key name> <base64(key ID || signature)>`.
The key ID is the first four bytes of SHA-256(key name || 0x0A || 0x01 || public key), and
a verifier key is written `<name>+<hex key ID>+<base64(0x01 || public key)>`. Both formats
are read and written as the Go reference (golang.org/x/mod/sumdb/note) does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from muster.errors import MusterError
from muster.ledger import signing

ALG_ED25519 = 0x01
SIG_PREFIX = "— "  # em dash U+2014, space
MAX_SIGNATURES = 100
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")
_SIZE = re.compile(r"0|[1-9][0-9]*")


class NoteError(MusterError):
    """Root of the errors about signed notes and checkpoints; never raised itself."""


class MalformedNoteError(NoteError):
    """Raised when text is not a well-formed signed note."""


class UnverifiedNoteError(NoteError):
    """Raised when a note carries no signature by any key the reader trusts."""


class InvalidNoteSignatureError(NoteError):
    """Raised when a note's signature by a trusted key does not verify."""


class VerifierKeyError(NoteError):
    """Raised when a verifier key string is malformed or its key ID does not match."""


class CheckpointFormatError(NoteError):
    """Raised when a checkpoint body does not follow c2sp.org/tlog-checkpoint."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed tree head: which log, how many entries, and the root hash over them."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Verifier:
    """A trusted Ed25519 note key: its name, 4-byte key ID and 32-byte public key."""

    name: str
    key_id: bytes
    public_key: bytes


def valid_key_name(name: str) -> bool:
    """Whether a key name is allowed: non-empty, no Unicode spaces, no '+'."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_id(name: str, raw_public: bytes) -> bytes:
    """The 4-byte key ID: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    data = name.encode() + b"\n" + bytes([ALG_ED25519]) + bytes(raw_public)
    return hashlib.sha256(data).digest()[:4]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None


def _check_text(text: str, what: str) -> None:
    """Notes are UTF-8 with no ASCII control character but newline."""
    try:
        text.encode()
    except UnicodeEncodeError:
        raise MalformedNoteError(f"{what} is not valid UTF-8") from None
    bad = next((c for c in text if c < " " and c != "\n"), None)
    if bad is not None:
        raise MalformedNoteError(f"{what} contains the control character {ord(bad):#04x}")


def format_checkpoint(checkpoint: Checkpoint) -> str:
    """The checkpoint's note body: origin, tree size, base64 root hash, extension lines."""
    origin, size, root_hash = checkpoint.origin, checkpoint.size, checkpoint.root_hash
    if not origin or "\n" in origin:
        raise CheckpointFormatError(f"checkpoint origin {origin!r}: expected one non-empty line")
    if size < 0:
        raise CheckpointFormatError(f"checkpoint tree size {size}: expected 0 or more")
    if len(root_hash) != 32:
        raise CheckpointFormatError(
            f"checkpoint root hash is {len(root_hash)} bytes; expected 32 (SHA-256)"
        )
    for line in checkpoint.extensions:
        if not line or "\n" in line:
            raise CheckpointFormatError(
                f"checkpoint extension line {line!r}: expected one non-empty line"
            )
    lines = [origin, str(size), _b64(root_hash), *checkpoint.extensions]
    return "".join(line + "\n" for line in lines)


def parse_checkpoint(body: str) -> Checkpoint:
    """The checkpoint in a note body (already verified); CheckpointFormatError when malformed."""
    if not body.endswith("\n"):
        raise CheckpointFormatError("checkpoint: the text must end with a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointFormatError(
            f"checkpoint: {len(lines)} lines; expected origin, tree size and root hash"
        )
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise CheckpointFormatError("checkpoint: the origin line is empty")
    if not _SIZE.fullmatch(size_text):
        raise CheckpointFormatError(
            f"checkpoint tree size {size_text!r}: expected a decimal number, no leading zeros"
        )
    root_hash = _unb64(root_text)
    if root_hash is None or len(root_hash) != 32:
        raise CheckpointFormatError(
            f"checkpoint root hash {root_text!r}: expected 32 bytes in standard base64"
        )
    if any(not line for line in extensions):
        raise CheckpointFormatError("checkpoint: an extension line is empty")
    return Checkpoint(origin, int(size_text), root_hash, tuple(extensions))


def verifier_key(name: str, raw_public: bytes) -> str:
    """The verifier key string `<name>+<hex key ID>+<base64(0x01 || public key)>`."""
    if not valid_key_name(name):
        raise VerifierKeyError(f"key name {name!r}: must be non-empty, no spaces or '+'")
    if len(raw_public) != signing.PUBLIC_KEY_SIZE:
        raise VerifierKeyError(f"an Ed25519 public key is 32 bytes; this is {len(raw_public)}")
    encoded = _b64(bytes([ALG_ED25519]) + bytes(raw_public))
    return f"{name}+{key_id(name, raw_public).hex()}+{encoded}"


def parse_verifier_key(vkey: str) -> Verifier:
    """The Verifier a verifier key string names; VerifierKeyError when malformed."""
    name, _, rest = vkey.partition("+")
    id_hex, _, key_text = rest.partition("+")
    key = _unb64(key_text)
    if not valid_key_name(name) or not _HEX8.fullmatch(id_hex) or not key:
        raise VerifierKeyError(
            f"verifier key {vkey!r}: expected <name>+<8 hex digits>+<base64 key>"
        )
    if key[0] != ALG_ED25519:
        raise VerifierKeyError(f"verifier key {name}+{id_hex}: not an Ed25519 (0x01) key")
    if len(key) != 1 + signing.PUBLIC_KEY_SIZE:
        raise VerifierKeyError(f"verifier key {name}+{id_hex}: the public key is not 32 bytes")
    public = key[1:]
    expected = key_id(name, public)
    if bytes.fromhex(id_hex) != expected:
        raise VerifierKeyError(
            f"verifier key {name}+{id_hex}: the key ID does not match the key "
            f"(expected {expected.hex()})"
        )
    return Verifier(name, expected, public)


def sign_note(body: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """The body signed by the key under this name, as a signed note."""
    if not body.endswith("\n"):
        raise MalformedNoteError("a note's text must end with a newline")
    _check_text(body, "the note text")
    if not valid_key_name(name):
        raise MalformedNoteError(f"key name {name!r}: must be non-empty, no spaces or '+'")
    raw = signing.public_key_raw(private_key)
    signature = signing.sign(private_key, body.encode())
    return f"{body}\n{SIG_PREFIX}{name} {_b64(key_id(name, raw) + signature)}\n"


def _split_note(text: str) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """The note text and its signature lines as (name, key ID, signature)."""
    _check_text(text, "the note")
    split = text.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("no blank line separating the text from its signatures")
    body, block = text[: split + 1], text[split + 2 :]
    if not block or not block.endswith("\n"):
        raise MalformedNoteError("no signature lines, or the last one has no final newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"{len(lines)} signature lines; at most {MAX_SIGNATURES}")
    sigs: list[tuple[str, bytes, bytes]] = []
    for number, line in enumerate(lines, 1):
        if not line.startswith(SIG_PREFIX):
            raise MalformedNoteError(f"signature line {number} does not start with '— '")
        name, _, encoded = line[len(SIG_PREFIX) :].partition(" ")
        raw = _unb64(encoded)
        if not valid_key_name(name) or raw is None or len(raw) < 5:
            raise MalformedNoteError(f"signature line {number} is malformed")
        sigs.append((name, raw[:4], raw[4:]))
    return body, sigs


def open_note(text: str, verifiers: Iterable[str | Verifier]) -> tuple[str, list[str]]:
    """The text of a note and the names of the trusted keys whose signatures verified.

    Signatures by keys not in `verifiers` are ignored. A note with no signature by a trusted
    key (UnverifiedNoteError), or with a trusted key's signature that fails
    (InvalidNoteSignatureError), is refused.
    """
    known: dict[tuple[str, bytes], set[bytes]] = {}
    for v in verifiers:
        parsed = parse_verifier_key(v) if isinstance(v, str) else v
        known.setdefault((parsed.name, parsed.key_id), set()).add(parsed.public_key)
    body, sigs = _split_note(text)
    message = body.encode()
    verified: list[str] = []
    seen: set[tuple[str, bytes]] = set()
    for name, kid, signature in sigs:
        keys = known.get((name, kid))
        if keys is None or (name, kid) in seen:
            continue
        seen.add((name, kid))
        if len(keys) > 1:
            raise InvalidNoteSignatureError(f"ambiguous key {name}+{kid.hex()}: two keys share it")
        if not signing.verify(next(iter(keys)), signature, message):
            raise InvalidNoteSignatureError(f"invalid signature for key {name}+{kid.hex()}")
        if name not in verified:
            verified.append(name)
    if not verified:
        names = ", ".join(sorted({f"{n}+{k.hex()}" for n, k, _s in sigs}))
        raise UnverifiedNoteError(f"the note has no signature by a trusted key (signed by {names})")
    return body, verified


def open_checkpoint(text: str, verifier: Verifier) -> Checkpoint:
    """The checkpoint in a signed note, once the registry key's signature on it holds and
    its origin is the key's name; a NoteError naming what does not hold otherwise."""
    described = f"{verifier.name}+{verifier.key_id.hex()}"
    body, sigs = _split_note(text)
    signers = [(name, kid) for name, kid, _sig in sigs]
    if (verifier.name, verifier.key_id) not in signers:
        names = ", ".join(sorted({f"{n}+{k.hex()}" for n, k in signers}))
        raise UnverifiedNoteError(f"not signed by the registry key {described} (signed by {names})")
    try:
        open_note(text, [verifier])
    except InvalidNoteSignatureError:
        raise InvalidNoteSignatureError(
            f"the signature by the registry key {described} does not verify "
            "(the checkpoint was altered after it was signed)"
        ) from None
    checkpoint = parse_checkpoint(body)
    if checkpoint.origin != verifier.name:
        raise CheckpointFormatError(
            f"the checkpoint's origin is {checkpoint.origin!r}, the registry key's name "
            f"{verifier.name!r}"
        )
    return checkpoint
