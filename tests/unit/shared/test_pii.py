"""Tests for encryption and blind lookup of personal data in shared.pii."""

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.pii import PiiCipher, PiiDecryptionError

KEY = "test-secret-key-do-not-use-in-production"


@given(st.text())
def test_encrypted_value_decrypts_to_the_original(plaintext: str) -> None:
    cipher = PiiCipher(KEY)
    assert cipher.decrypt(cipher.encrypt(plaintext)) == plaintext


def test_token_is_url_safe_ascii() -> None:
    token = PiiCipher(KEY).encrypt("33040219900517123X")
    assert token.isascii()
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")


def test_bytes_and_str_keys_are_equivalent() -> None:
    token = PiiCipher(KEY).encrypt("张三")
    assert PiiCipher(KEY.encode()).decrypt(token) == "张三"


def test_ciphertext_differs_each_time_for_the_same_value() -> None:
    cipher = PiiCipher(KEY)
    assert cipher.encrypt("33040219900517123X") != cipher.encrypt("33040219900517123X")


@pytest.mark.parametrize("position", [0, 5, 12, 20, -1])
def test_tampered_ciphertext_raises(position: int) -> None:
    cipher = PiiCipher(KEY)
    blob = bytearray(base64.urlsafe_b64decode(cipher.encrypt("33040219900517123X")))
    blob[position] ^= 0x01
    with pytest.raises(PiiDecryptionError):
        cipher.decrypt(base64.urlsafe_b64encode(bytes(blob)).decode())


@pytest.mark.parametrize("token", ["", "not base64!", "AAAA", "é"])
def test_malformed_token_raises(token: str) -> None:
    with pytest.raises(PiiDecryptionError):
        PiiCipher(KEY).decrypt(token)


def test_token_made_with_another_key_raises() -> None:
    token = PiiCipher(KEY).encrypt("33040219900517123X")
    with pytest.raises(PiiDecryptionError):
        PiiCipher("another-key").decrypt(token)


def test_lookup_hash_is_deterministic_hex() -> None:
    first = PiiCipher(KEY).lookup_hash("33040219900517123X")
    assert first == PiiCipher(KEY).lookup_hash("33040219900517123X")
    assert len(first) == 64
    int(first, 16)


def test_lookup_hash_depends_on_the_key_and_the_value() -> None:
    cipher = PiiCipher(KEY)
    assert cipher.lookup_hash("a") != PiiCipher("another-key").lookup_hash("a")
    assert cipher.lookup_hash("a") != cipher.lookup_hash("b")


def test_lookup_hash_does_not_contain_the_value() -> None:
    assert "33040219900517123X" not in PiiCipher(KEY).lookup_hash("33040219900517123X")


def test_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        PiiCipher(b"")
