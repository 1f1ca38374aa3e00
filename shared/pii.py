"""Encryption at rest and blind lookup of personal data such as ID numbers.

One secret key yields two independent subkeys (HKDF-SHA256 with different
``info`` labels): an AES-256-GCM key that encrypts values for storage, and an
HMAC-SHA256 key whose deterministic digests feed a unique index, so a record
can be found by its ID number without decrypting every row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE_SIZE = 12
_ENCRYPTION_INFO = b"jiangong pii encryption v1"
_LOOKUP_INFO = b"jiangong pii lookup v1"


class PiiDecryptionError(ValueError):
    """A token could not be decrypted: it was altered or made with another key."""


def _derive_subkey(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


class PiiCipher:
    """Encrypts, decrypts and blind-indexes personal data with one secret key."""

    def __init__(self, secret_key: bytes | str) -> None:
        secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
        if not secret:
            raise ValueError("PII secret key must not be empty")
        self._aead = AESGCM(_derive_subkey(secret, _ENCRYPTION_INFO))
        self._lookup_key = _derive_subkey(secret, _LOOKUP_INFO)

    def encrypt(self, plaintext: str) -> str:
        """Return url-safe base64 of a random nonce followed by the ciphertext."""
        nonce = os.urandom(_NONCE_SIZE)
        ciphertext = self._aead.encrypt(nonce, plaintext.encode(), None)
        return base64.urlsafe_b64encode(nonce + ciphertext).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Return the plaintext of ``token``, or raise :class:`PiiDecryptionError`."""
        try:
            blob = base64.urlsafe_b64decode(token.encode("ascii"))
            plaintext = self._aead.decrypt(blob[:_NONCE_SIZE], blob[_NONCE_SIZE:], None)
            return plaintext.decode()
        except (InvalidTag, ValueError) as error:
            raise PiiDecryptionError("PII token is corrupt or was made with another key") from error

    def lookup_hash(self, value: str) -> str:
        """Return a deterministic, key-dependent hex digest of ``value``."""
        return hmac.new(self._lookup_key, value.encode(), hashlib.sha256).hexdigest()
