"""Which registry key a verification trusts: one given (`--key`), one pinned by its
fingerprint (`--fingerprint`), or, saying so, the key the thing verified carries itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from muster.domain.errors import InvalidInputError
from muster.ledger import note, signing
from muster.registry.findings import Problem, problem

_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
FINGERPRINT_FORM = "64 hexadecimal digits, the SHA-256 of the registry's public key"


class KeyMismatchError(InvalidInputError):
    """Raised when the key given with --key is not the one pinned with --fingerprint."""


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """What the verifier was told to trust: a verifier key, a pinned fingerprint, or both."""

    verifier: note.Verifier | None = None
    fingerprint: str | None = None

    @property
    def given(self) -> bool:
        """Whether anything was given; without, only a thing's own key can be checked."""
        return self.verifier is not None or self.fingerprint is not None

    @property
    def source(self) -> str:
        """How the key was trusted, as the report's `key_source` names it."""
        return "key" if self.verifier is not None else "fingerprint" if self.fingerprint else "own"


def key_fingerprint(verifier: note.Verifier) -> str:
    """A registry key's fingerprint: the hex SHA-256 of its 32 raw bytes, as `muster init`
    prints it and as authority keys are named."""
    return signing.fingerprint(verifier.public_key)


def read_verifier_key(value: str) -> note.Verifier:
    """The C2SP verifier key in the file `value` names, or `value` itself as the key text."""
    path = Path(value)
    source = value
    try:
        if path.is_file():
            lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
            lines = [line for line in lines if line]
            if len(lines) != 1:
                raise InvalidInputError(
                    f"--key {value}: expected one line, a verifier key "
                    f"<name>+<key id>+<key> (as keys/registry.vkey holds it); found {len(lines)}"
                )
            source, text = f"--key {value}", lines[0]
        else:
            source, text = "--key", value.strip()
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidInputError(f"--key {value}: cannot be read ({err})") from None
    if "+" not in text:
        raise InvalidInputError(
            f"--key {value}: no such file, and not a verifier key <name>+<key id>+<key>"
        )
    try:
        return note.parse_verifier_key(text)
    except note.VerifierKeyError as err:
        raise InvalidInputError(f"{source}: {err}") from None


def parse_fingerprint(value: str) -> str:
    """A pinned fingerprint, lower-cased; InvalidInputError when it is not of the form."""
    text = value.strip().lower()
    if not _FINGERPRINT.fullmatch(text):
        raise InvalidInputError(f"--fingerprint {value!r}: expected {FINGERPRINT_FORM}")
    return text


def trusted_key(key: str | None, fingerprint: str | None) -> TrustedKey:
    """The trust the options give; a key and a fingerprint that disagree are refused."""
    verifier = read_verifier_key(key) if key is not None else None
    pinned = parse_fingerprint(fingerprint) if fingerprint is not None else None
    if verifier is not None and pinned is not None and key_fingerprint(verifier) != pinned:
        raise KeyMismatchError(
            f"the key given with --key ({verifier.name}) has the fingerprint "
            f"{key_fingerprint(verifier)}, not the one pinned with --fingerprint ({pinned})"
        )
    return TrustedKey(verifier, pinned)


def key_problem(trust: TrustedKey, verifier: note.Verifier, what: str) -> Problem | None:
    """Why `verifier`, the key `what` names, is not the trusted one; None when it is."""
    if trust.verifier is not None and (
        trust.verifier.name,
        trust.verifier.public_key,
    ) != (verifier.name, verifier.public_key):
        return problem(
            "key_not_given",
            where=what,
            name=verifier.name,
            fingerprint=key_fingerprint(verifier),
            given_name=trust.verifier.name,
            given_fingerprint=key_fingerprint(trust.verifier),
        )
    if trust.fingerprint is not None and key_fingerprint(verifier) != trust.fingerprint:
        return problem(
            "key_not_pinned",
            where=what,
            fingerprint=key_fingerprint(verifier),
            pinned=trust.fingerprint,
        )
    return None


NO_KEY = TrustedKey()
