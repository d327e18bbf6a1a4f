"""Field encryption and keyed hashes for personal data.

Values are sealed with AES-256-GCM; each token carries the id of the key that sealed it
("v1:<key id>:<base64 nonce+ciphertext>"), so keys rotate without a flag day: the first key of
FIELD_ENCRYPTION_KEYS seals, every listed key opens, and `manage.py rotate_keys` reseals the
stored values under the first key. Exact lookups use an HMAC-SHA256 keyed hash, which reveals
nothing without FIELD_HASH_KEY.
"""

import base64
import binascii
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

VERSION = "v1"


class DecryptionError(ValueError):
    """A token that no configured key opens, or one that was altered."""


def _parse_keys(raw: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in raw.split(","):
        key_id, sep, encoded = item.strip().partition(":")
        if not sep or not key_id or ":" in encoded:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS must be 'id:base64key' pairs separated by commas"
            )
        try:
            key = base64.urlsafe_b64decode(encoded)
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {key_id} is not base64"
            ) from exc
        if len(key) != 32:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: key {key_id} must be 32 bytes")
        keys[key_id] = key
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty")
    return keys


@lru_cache(maxsize=1)
def _keyring() -> tuple[str, dict[str, AESGCM]]:
    keys = _parse_keys(settings.FIELD_ENCRYPTION_KEYS)
    current = next(iter(keys))
    return current, {key_id: AESGCM(key) for key_id, key in keys.items()}


@lru_cache(maxsize=1)
def _hash_key() -> bytes:
    return settings.FIELD_HASH_KEY.encode()


def _reset(**kwargs: object) -> None:
    if kwargs.get("setting") in {"FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"}:
        _keyring.cache_clear()
        _hash_key.cache_clear()


setting_changed.connect(_reset)


def current_key_id() -> str:
    return _keyring()[0]


def encrypt(plaintext: str) -> str:
    """Seal a value under the current key."""
    key_id, ciphers = _keyring()
    nonce = os.urandom(12)
    sealed = ciphers[key_id].encrypt(nonce, plaintext.encode(), key_id.encode())
    return f"{VERSION}:{key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def key_id_of(token: str) -> str:
    return token.split(":", 2)[1]


def decrypt(token: str) -> str:
    """Open a token sealed by `encrypt` under any configured key."""
    try:
        version, key_id, payload = token.split(":", 2)
    except ValueError as exc:
        raise DecryptionError("not an encrypted token") from exc
    if version != VERSION:
        raise DecryptionError(f"unknown token version {version}")
    ciphers = _keyring()[1]
    if key_id not in ciphers:
        raise DecryptionError(f"key {key_id} is not configured")
    try:
        blob = base64.urlsafe_b64decode(payload)
        return ciphers[key_id].decrypt(blob[:12], blob[12:], key_id.encode()).decode()
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise DecryptionError("the token was altered or sealed under another key") from exc


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value, hex: the column used for exact lookups."""
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()


def generate_key() -> str:
    """A new random 32-byte key in the urlsafe base64 form FIELD_ENCRYPTION_KEYS expects."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()
