"""Ed25519 signatures over checkpoints of the custody chain.

A checkpoint signs one entry's hash; since each entry holds its predecessor's hash, the
signature covers the whole chain up to that entry. Keys are PEM files (PKCS#8 private,
SubjectPublicKeyInfo public); the catalog stores each signature with the raw public key
and its id (the first 16 hex digits of the key's SHA-256).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from catalog.custody.canonical import canonical_json
from catalog.errors import UsageError
from catalog.timeutil import utc_now

if TYPE_CHECKING:
    from pathlib import Path

    from sqlite_utils import Database

    from catalog.custody.log import CustodyEntry


@dataclass(frozen=True, slots=True)
class Signature:
    """One stored checkpoint signature."""

    seq: int
    entry_hash: str
    key_id: str
    public_key: str
    signature: str
    signed: str
    examiner: str


def checkpoint_message(case_id: str, seq: int, entry_hash: str) -> bytes:
    """The bytes a checkpoint signature covers."""
    return canonical_json(
        {"purpose": "evcat custody checkpoint", "case_id": case_id, "seq": seq, "hash": entry_hash}
    ).encode("utf-8")


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """A short id for a public key: 16 hex digits of the SHA-256 of its raw bytes."""
    return hashlib.sha256(raw_public_key(key)).hexdigest()[:16]


def generate_key_pair(private_path: Path) -> Path:
    """Write a new private key (mode 0600) and ``<name>.pub``; return the public key's path.

    Raises:
        UsageError: either file already exists.
    """
    public_path = private_path.with_name(private_path.name + ".pub")
    for path in (private_path, public_path):
        if path.exists():
            raise UsageError(f"{path}: already exists; will not overwrite a key")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private_pem)
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return public_path


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read an unencrypted PEM Ed25519 private key.

    Raises:
        UsageError: the file is missing or holds no Ed25519 private key.
    """
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(f"{path}: not a readable Ed25519 private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(f"{path}: not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Read a PEM Ed25519 public key.

    Raises:
        UsageError: the file is missing or holds no Ed25519 public key.
    """
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: not a readable Ed25519 public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise UsageError(f"{path}: not an Ed25519 public key")
    return key


def sign_checkpoint(db: Database, entry: CustodyEntry, key_path: Path, examiner: str) -> Signature:
    """Sign ``entry`` (normally the head) and store the signature."""
    from catalog.custody.log import case_id_of

    key = load_private_key(key_path)
    public = key.public_key()
    signature = Signature(
        seq=entry.seq,
        entry_hash=entry.entry_hash,
        key_id=key_id(public),
        public_key=raw_public_key(public).hex(),
        signature=key.sign(
            checkpoint_message(case_id_of(db) or "", entry.seq, entry.entry_hash)
        ).hex(),
        signed=utc_now(),
        examiner=examiner,
    )
    db.execute(
        "INSERT OR IGNORE INTO custody_signatures"
        " (seq, entry_hash, key_id, public_key, signature, signed, examiner)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            signature.seq,
            signature.entry_hash,
            signature.key_id,
            signature.public_key,
            signature.signature,
            signature.signed,
            signature.examiner,
        ],
    )
    return signature


def signatures(db: Database) -> list[Signature]:
    """Every stored signature, by entry then key."""
    rows = db.execute(
        "SELECT seq, entry_hash, key_id, public_key, signature, signed, examiner"
        " FROM custody_signatures ORDER BY seq, key_id"
    ).fetchall()
    return [Signature(*row) for row in rows]


def signature_is_valid(signature: Signature, case_id: str, public: Ed25519PublicKey) -> bool:
    """Whether ``signature`` was made over its checkpoint by ``public``'s private key."""
    try:
        public.verify(
            bytes.fromhex(signature.signature),
            checkpoint_message(case_id, signature.seq, signature.entry_hash),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def public_key_from_raw(hex_text: str) -> Ed25519PublicKey | None:
    """The stored raw public key, or None when it is not a valid key."""
    try:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(hex_text))
    except ValueError:
        return None
