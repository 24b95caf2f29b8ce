"""Encryption at rest for direct identifiers, and blind indexes for exact
search without decrypting.

A value is sealed with AES-256-GCM under the newest key of the ring, with a
random 96-bit nonce. The stored bytes are::

    version (1) | key-id length (1) | key id | nonce (12) | ciphertext+tag

and the table, column and row identifier are bound as associated data, so a
ciphertext copied into another row or column does not decrypt.
"""

import hashlib
import hmac
import os
import re
import unicodedata
import uuid
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

from app.security.keys import KeySet

FORMAT_VERSION = 1
NONCE_BYTES = 12


class DecryptionError(Exception):
    """The stored value cannot be decrypted with the key ring and its context."""


@lru_cache(maxsize=16)
def _aead(key: bytes) -> AESGCM:
    """One cipher object per key (building it costs more than a short decrypt)."""
    return AESGCM(key)


def keyset() -> KeySet:
    return current_app.extensions["senda_keys"]


def associated_data(table: str, column: str, row_uid: str) -> bytes:
    return f"senda|{table}|{column}|{row_uid}".encode()


def seal(plaintext: str, aad: bytes, keys: KeySet | None = None) -> bytes:
    keys = keys or keyset()
    kid = keys.newest_key_id.encode()
    nonce = os.urandom(NONCE_BYTES)
    body = _aead(keys.data_keys[keys.newest_key_id]).encrypt(nonce, plaintext.encode(), aad)
    return bytes([FORMAT_VERSION, len(kid)]) + kid + nonce + body


def key_id_of(blob: bytes) -> str:
    return blob[2 : 2 + blob[1]].decode()


def open_sealed(blob: bytes, aad: bytes, keys: KeySet | None = None) -> str:
    keys = keys or keyset()
    if not blob or blob[0] != FORMAT_VERSION:
        raise DecryptionError("unknown ciphertext format")
    kid = key_id_of(blob)
    key = keys.data_keys.get(kid)
    if key is None:
        raise DecryptionError(f"key {kid!r} is not in the key ring")
    start = 2 + blob[1]
    nonce, body = blob[start : start + NONCE_BYTES], blob[start + NONCE_BYTES :]
    try:
        return _aead(key).decrypt(nonce, body, aad).decode()
    except InvalidTag as exc:
        raise DecryptionError("ciphertext does not match its key or context") from exc


class EncryptedBytes(TypeDecorator):
    """Column type of a sealed value. The plaintext view is an ``Encrypted``
    descriptor on the model, which knows the row the value belongs to."""

    impl = LargeBinary
    cache_ok = True


def new_row_uid() -> str:
    return uuid.uuid4().hex


class Encrypted:
    """Plaintext attribute backed by an ``EncryptedBytes`` column.

    ``full_name = Encrypted("full_name_ct")`` reads and writes plaintext,
    stored sealed in ``full_name_ct`` with the row's ``row_uid`` as context.
    """

    def __init__(self, column_attr: str):
        self.column_attr = column_attr

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def column_name(self, model: type) -> str:
        return model.__mapper__.attrs[self.column_attr].columns[0].name

    def aad(self, obj: Any) -> bytes:
        return associated_data(obj.__tablename__, self.column_name(type(obj)), obj.row_uid)

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        blob = getattr(obj, self.column_attr)
        if blob is None:
            return None
        cache = obj.__dict__.setdefault("_senda_plain", {})
        hit = cache.get(self.name)
        if hit is not None and hit[0] is blob:
            return hit[1]
        plain = open_sealed(blob, self.aad(obj))
        cache[self.name] = (blob, plain)
        return plain

    def __set__(self, obj: Any, value: str | None) -> None:
        if value is None:
            setattr(obj, self.column_attr, None)
            return
        if not obj.row_uid:
            obj.row_uid = new_row_uid()
        blob = seal(value, self.aad(obj))
        setattr(obj, self.column_attr, blob)
        obj.__dict__.setdefault("_senda_plain", {})[self.name] = (blob, value)


def encrypted_fields(model: type) -> list[Encrypted]:
    return [v for v in vars(model).values() if isinstance(v, Encrypted)]


_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower case, accents removed, spaces collapsed: 'José  Ramírez' -> 'jose ramirez'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def blind_index(text: str | None, keys: KeySet | None = None) -> str | None:
    """HMAC-SHA256 of the normalized text under the blind-index key (hex)."""
    if text is None or not normalize(text):
        return None
    keys = keys or keyset()
    return hmac.new(keys.blind_index_key, normalize(text).encode(), hashlib.sha256).hexdigest()
