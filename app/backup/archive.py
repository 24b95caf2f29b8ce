"""The encrypted backup file: a header, then the dump in authenticated chunks.

Layout::

    magic "SENDABK" (7) | version (1) | key id (8) | salt (32) | meta length (4) | meta (JSON)
    chunk 0 | chunk 1 | ... | final chunk        each: AES-256-GCM(plaintext) + tag (16)

Every chunk but the last holds ``CHUNK`` plaintext bytes; the last holds
0..CHUNK bytes. Each file has its own key, HKDF-SHA256(backup key, salt), so
a 96-bit counter is a safe nonce. The associated data of every chunk is the
whole header, the chunk number and a final flag: a changed header, a changed,
swapped or dropped chunk, or a file cut at a chunk boundary fails to
authenticate. The key id is a fingerprint of the backup key, so a wrong key
is named as such before anything is decrypted.
"""

import hashlib
import hmac
import json
import os
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"SENDABK"
VERSION = 1
CHUNK = 1024 * 1024
TAG = 16
SALT = 32
MAX_META = 64 * 1024
_FIXED = struct.Struct(">7sB8s32sI")


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why."""


@dataclass(frozen=True)
class Header:
    key_id: bytes
    salt: bytes
    meta: dict
    raw: bytes  # the header bytes as written, authenticated with every chunk


def key_id(backup_key: bytes) -> bytes:
    """A fingerprint of the backup key (reveals nothing usable about it)."""
    return hmac.new(backup_key, b"senda backup key id", hashlib.sha256).digest()[:8]


def _file_key(backup_key: bytes, salt: bytes) -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"senda backup v1")
    return AESGCM(hkdf.derive(backup_key))


def _nonce_and_aad(header: bytes, index: int, final: bool) -> tuple[bytes, bytes]:
    counter = struct.pack(">Q", index)
    return b"\0\0\0\0" + counter, header + counter + (b"\1" if final else b"\0")


def _chunks(stream: BinaryIO, size: int) -> Iterator[tuple[bytes, bool]]:
    """Blocks of ``size`` bytes, each with "is it the last one" (read ahead)."""
    current = stream.read(size)
    while True:
        following = stream.read(size)
        yield current, not following
        if not following:
            return
        current = following


def write(out: BinaryIO, source: BinaryIO, backup_key: bytes, meta: dict) -> int:
    """Encrypt ``source`` into ``out``; returns the plaintext size."""
    salt = os.urandom(SALT)
    body = json.dumps(meta, sort_keys=True).encode()
    header = _FIXED.pack(MAGIC, VERSION, key_id(backup_key), salt, len(body)) + body
    out.write(header)
    aead, total = _file_key(backup_key, salt), 0
    for index, (block, final) in enumerate(_chunks(source, CHUNK)):
        nonce, aad = _nonce_and_aad(header, index, final)
        out.write(aead.encrypt(nonce, block, aad))
        total += len(block)
    return total


def read_header(stream: BinaryIO) -> Header:
    """Read and check the header (not yet authenticated: the chunks do that)."""
    fixed = stream.read(_FIXED.size)
    if len(fixed) < _FIXED.size or not fixed.startswith(MAGIC):
        raise BackupError("This is not a Senda backup file.")
    _, version, kid, salt, length = _FIXED.unpack(fixed)
    if version != VERSION:
        raise BackupError(f"Backup format version {version} is not supported (this Senda reads {VERSION}).")
    if length > MAX_META:
        raise BackupError("The backup header is damaged.")
    body = stream.read(length)
    try:
        meta = json.loads(body)
    except ValueError as exc:
        raise BackupError("The backup header is damaged.") from exc
    return Header(kid, salt, meta, fixed + body)


def check_key(header: Header, backup_key: bytes) -> None:
    if not hmac.compare_digest(header.key_id, key_id(backup_key)):
        raise BackupError(
            f"This backup was made with another backup key (key id {header.key_id.hex()}, "
            f"yours is {key_id(backup_key).hex()}). Nothing was restored."
        )


def decrypt(stream: BinaryIO, header: Header, backup_key: bytes) -> Iterable[bytes]:
    """Yield the plaintext chunk by chunk; raise BackupError at the first chunk
    that does not authenticate (changed, reordered, missing or cut short)."""
    check_key(header, backup_key)
    aead = _file_key(backup_key, header.salt)
    for index, (block, final) in enumerate(_chunks(stream, CHUNK + TAG)):
        if len(block) < TAG or (not final and len(block) != CHUNK + TAG):
            raise BackupError("The backup file is truncated or damaged. Nothing was restored.")
        nonce, aad = _nonce_and_aad(header.raw, index, final)
        try:
            yield aead.decrypt(nonce, block, aad)
        except InvalidTag as exc:
            raise BackupError(
                f"The backup file is damaged, truncated or altered (block {index} does not "
                "authenticate). Nothing was restored."
            ) from exc
