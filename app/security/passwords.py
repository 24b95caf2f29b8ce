"""Password hashing (argon2id) and the password rules: at least 12
characters, no composition rules, not a common password."""

import secrets
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 12
MAX_LENGTH = 256



def hasher() -> PasswordHasher:
    cfg = current_app.config
    return _hasher(
        cfg.get("ARGON2_TIME_COST", 3),
        cfg.get("ARGON2_MEMORY_KIB", 65536),
        cfg.get("ARGON2_PARALLELISM", 4),
    )


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    # OWASP's minimum for argon2id is m=19 MiB, t=2, p=1; never go below it.
    if memory_kib < 19456 or time_cost < 2 and memory_kib < 47104:
        raise ValueError("argon2id parameters below OWASP's minimum")
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


@lru_cache(maxsize=4)
def _dummy_hash(h: PasswordHasher) -> str:
    """A hash verified against when the username is unknown, with the same
    parameters as real hashes, so that both failures take the same time."""
    return h.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        h = hasher()
        return h.verify(stored_hash or _dummy_hash(h), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return hasher().check_needs_rehash(stored_hash)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str, username: str = "") -> str | None:
    """A code naming what is wrong with a new password, or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    lowered = password.lower()
    if lowered in common_passwords() or (username and username.lower() in lowered):
        return "too_common"
    return None
