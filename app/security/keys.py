"""Where Senda's secret keys come from: the environment, or a JSON file in
instance/ (generated for development on first start, and only there: every
other configuration has GENERATE_KEYS off). Production refuses to start
without them (``ProductionConfig.validate`` names the missing ones first)."""

import base64
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from config import ConfigError, missing_keys, read_keys_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeySet:
    data_keys: dict[str, bytes]  # key id -> 32-byte AES key, in insertion order
    newest_key_id: str
    blind_index_key: bytes
    audit_key: bytes
    backup_key: bytes  # encrypts `flask backup` files, nothing else


def _decode(value: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise ConfigError(f"{what} is not valid base64") from exc
    if len(raw) != 32:
        raise ConfigError(f"{what} must be 32 bytes (base64 of 32 random bytes)")
    return raw


def parse_data_keys(spec: str) -> dict[str, bytes]:
    """Parse "kid1:base64,kid2:base64" (oldest first, newest last)."""
    keys: dict[str, bytes] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kid, sep, value = part.partition(":")
        if not sep or not kid or len(kid.encode()) > 16:
            raise ConfigError("SENDA_DATA_KEYS entries look like 'k1:<base64 key>'")
        keys[kid] = _decode(value, f"data key {kid}")
    if not keys:
        raise ConfigError("SENDA_DATA_KEYS holds no key")
    return keys


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def generate_keys_file(path: Path) -> None:
    """Write a fresh development key file (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "data_keys": f"k1:{new_key()}",
        "blind_index_key": new_key(),
        "audit_key": new_key(),
        "backup_key": new_key(),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(content, fh, indent=2)
    log.warning("Generated development keys in %s", path)


def add_missing_backup_key(path: Path, values: dict) -> None:
    """Give a development key file made before backups existed its backup key."""
    values["backup_key"] = new_key()
    tmp = path.with_name(path.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(values, fh, indent=2)
    os.replace(tmp, path)
    log.warning("Added a development backup key to %s", path)


def load_keys(config: dict) -> KeySet:
    """Build the key set from the config, falling back to the key file."""
    file_values: dict[str, str] = {}
    keys_file = config.get("KEYS_FILE")
    if keys_file:
        path = Path(keys_file)
        if not path.exists() and config.get("GENERATE_KEYS"):
            generate_keys_file(path)
        file_values = read_keys_file(path)
        if path.exists() and config.get("GENERATE_KEYS") and "backup_key" not in file_values and not config.get("BACKUP_KEY"):
            add_missing_backup_key(path, file_values)
    missing = missing_keys(config, file_values)
    if missing:
        raise ConfigError(
            "Senda will not start without its keys: " + ", ".join(missing)
            + " (environment or " + (keys_file or "a keys file") + ")"
        )
    data_spec = config.get("DATA_KEYS") or file_values.get("data_keys")
    blind = config.get("BLIND_INDEX_KEY") or file_values.get("blind_index_key")
    audit = config.get("AUDIT_KEY") or file_values.get("audit_key")
    backup = config.get("BACKUP_KEY") or file_values.get("backup_key")
    data_keys = parse_data_keys(data_spec)
    return KeySet(
        data_keys=data_keys,
        newest_key_id=list(data_keys)[-1],
        blind_index_key=_decode(blind, "SENDA_BLIND_INDEX_KEY"),
        audit_key=_decode(audit, "SENDA_AUDIT_KEY"),
        backup_key=_decode(backup, "SENDA_BACKUP_KEY"),
    )
