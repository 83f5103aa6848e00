"""Ed25519 keys: encrypted storage, raw public keys, fingerprints, signatures."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from muster.errors import MusterError
from muster.ledger import signing

PASSPHRASE = b"correct horse battery staple"


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return signing.generate_private_key()


@pytest.fixture(scope="module")
def pem(key: Ed25519PrivateKey) -> bytes:
    return signing.private_key_to_pem(key, PASSPHRASE)


def test_pem_is_encrypted_pkcs8(pem: bytes) -> None:
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert PASSPHRASE not in pem


def test_pem_round_trip(key: Ed25519PrivateKey, pem: bytes) -> None:
    loaded = signing.load_private_key(pem, PASSPHRASE)
    assert signing.public_key_raw(loaded) == signing.public_key_raw(key)


def test_empty_passphrase_is_refused(key: Ed25519PrivateKey) -> None:
    with pytest.raises(signing.EmptyPassphraseError, match="empty passphrase"):
        signing.private_key_to_pem(key, b"")
    assert issubclass(signing.EmptyPassphraseError, MusterError)


@pytest.mark.parametrize("wrong", [b"wrong passphrase", b"x", PASSPHRASE + b" "])
def test_wrong_passphrase_never_echoes_it(pem: bytes, wrong: bytes) -> None:
    with pytest.raises(signing.KeyDecryptionError) as caught:
        signing.load_private_key(pem, wrong)
    message = str(caught.value)
    assert "passphrase is wrong" in message
    assert wrong.decode() not in message and PASSPHRASE.decode() not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_errors_name_the_key_and_where_its_passphrase_comes_from(pem: bytes) -> None:
    with pytest.raises(signing.KeyDecryptionError) as caught:
        signing.load_private_key(
            pem, b"wrong", name="authority key file cg.pem", variable="MUSTER_KEY_PASSPHRASE"
        )
    assert str(caught.value) == (
        "authority key file cg.pem could not be decrypted: the passphrase "
        "(MUSTER_KEY_PASSPHRASE) is wrong, or it is not an encrypted PKCS#8 PEM key"
    )
    with pytest.raises(signing.KeyDecryptionError) as caught:
        signing.load_private_key(pem, b"", name="the registry key", variable="X_PASS")
    assert (
        str(caught.value) == "the registry key is encrypted and no passphrase was given: set X_PASS"
    )


def test_no_passphrase_for_an_encrypted_key(pem: bytes) -> None:
    with pytest.raises(signing.KeyDecryptionError, match="no passphrase"):
        signing.load_private_key(pem, b"")


def test_unencrypted_and_foreign_keys_are_refused(key: Ed25519PrivateKey) -> None:
    plain = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(signing.KeyDecryptionError, match="not encrypted"):
        signing.load_private_key(plain, PASSPHRASE)
    ec = generate_private_key(SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE),
    )
    with pytest.raises(signing.KeyDecryptionError, match="not Ed25519"):
        signing.load_private_key(ec, PASSPHRASE)
    with pytest.raises(signing.KeyDecryptionError):
        signing.load_private_key(b"not a key at all", PASSPHRASE)


def test_public_key_raw_and_back(key: Ed25519PrivateKey) -> None:
    raw = signing.public_key_raw(key)
    assert len(raw) == 32
    assert signing.public_key_raw(key.public_key()) == raw
    assert signing.public_key_raw(signing.public_key_from_raw(raw)) == raw
    with pytest.raises(signing.PublicKeyError, match="32 bytes"):
        signing.public_key_from_raw(raw[:31])


def test_fingerprint_is_hex_sha256_of_the_raw_key(key: Ed25519PrivateKey) -> None:
    raw = signing.public_key_raw(key)
    assert signing.fingerprint(raw) == hashlib.sha256(raw).hexdigest()
    assert signing.fingerprint(bytes(32)) == (
        "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
    )


def test_rfc8032_test_vector_1() -> None:
    # RFC 8032 §7.1, TEST 1: the empty message.
    secret = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    public = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    expected = bytes.fromhex(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )
    key = Ed25519PrivateKey.from_private_bytes(secret)
    assert signing.public_key_raw(key) == public
    assert signing.sign(key, b"") == expected
    assert signing.verify(public, expected, b"")


def test_verify_is_false_on_anything_wrong(key: Ed25519PrivateKey) -> None:
    raw = signing.public_key_raw(key)
    sig = signing.sign(key, b"order bytes")
    assert signing.verify(raw, sig, b"order bytes")
    assert not signing.verify(raw, sig, b"order bytez")
    assert not signing.verify(raw, sig[:-1] + bytes([sig[-1] ^ 1]), b"order bytes")
    assert not signing.verify(raw, sig[:63], b"order bytes")
    assert not signing.verify(raw[:31], sig, b"order bytes")
    assert not signing.verify(b"", b"", b"order bytes")
    other = signing.public_key_raw(signing.generate_private_key())
    assert not signing.verify(other, sig, b"order bytes")
