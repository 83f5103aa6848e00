"""Ed25519 keys: generation, encrypted PKCS#8 storage, raw public keys, signing, verifying."""

from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from muster.errors import MusterError

PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64


class SigningKeyError(MusterError):
    """Root of the errors about keys; never raised itself."""


class EmptyPassphraseError(SigningKeyError):
    """Raised when a private key would be stored under an empty passphrase."""

    def __init__(self) -> None:
        super().__init__(
            "refusing to store a private key under an empty passphrase: set a passphrase"
        )


class KeyDecryptionError(SigningKeyError):
    """Raised when a private key cannot be decrypted or read; never shows the passphrase."""


class PublicKeyError(SigningKeyError):
    """Raised when bytes given as an Ed25519 public key are not one."""


def generate_private_key() -> Ed25519PrivateKey:
    """A new random Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def private_key_to_pem(key: Ed25519PrivateKey, passphrase: bytes) -> bytes:
    """The key as PKCS#8 PEM, encrypted under the passphrase (never empty)."""
    if not passphrase:
        raise EmptyPassphraseError()
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase),
    )


def load_private_key(
    pem: bytes, passphrase: bytes, *, name: str = "the private key", variable: str | None = None
) -> Ed25519PrivateKey:
    """The Ed25519 private key in encrypted PKCS#8 PEM; KeyDecryptionError when it cannot be.

    `name` says which key it is and `variable` where its passphrase comes from, for the
    messages."""
    if not passphrase:
        raise KeyDecryptionError(
            f"{name} is encrypted and no passphrase was given: set {variable or 'the passphrase'}"
        )
    try:
        key = serialization.load_pem_private_key(pem, password=passphrase)
    except TypeError:
        # The PEM is not encrypted; Muster never writes such keys.
        raise KeyDecryptionError(
            f"{name} is not encrypted; Muster only reads passphrase-protected keys"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        source = f" ({variable})" if variable else ""
        raise KeyDecryptionError(
            f"{name} could not be decrypted: the passphrase{source} is wrong, "
            "or it is not an encrypted PKCS#8 PEM key"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyDecryptionError(
            f"{name} is {type(key).__name__.removesuffix('PrivateKey')}, "
            "not Ed25519: Muster signs with Ed25519 keys only"
        )
    return key


def public_key_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of the public half of a key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )


def public_key_from_raw(raw: bytes) -> Ed25519PublicKey:
    """The Ed25519 public key with these 32 raw bytes."""
    if len(raw) != PUBLIC_KEY_SIZE:
        raise PublicKeyError(
            f"an Ed25519 public key is {PUBLIC_KEY_SIZE} bytes; these are {len(raw)}"
        )
    try:
        return Ed25519PublicKey.from_public_bytes(bytes(raw))
    except ValueError:
        raise PublicKeyError("these 32 bytes are not an Ed25519 public key") from None


def fingerprint(raw_public: bytes) -> str:
    """The key's fingerprint: lowercase hexadecimal SHA-256 of its 32 raw bytes."""
    return hashlib.sha256(bytes(raw_public)).hexdigest()


def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    """The 64-byte Ed25519 signature of the data."""
    return key.sign(data)


def verify(raw_public: bytes, signature: bytes, data: bytes) -> bool:
    """Whether the signature over the data verifies under the raw public key; never raises."""
    if len(signature) != SIGNATURE_SIZE:
        return False
    try:
        public_key_from_raw(raw_public).verify(bytes(signature), data)
    except (PublicKeyError, InvalidSignature):
        return False
    return True
