"""The snapshot format: what a backup writes and a restore reads.

Backup and restore live in their own modules; the format they share is defined
here once, so the two sides cannot drift apart: the files that sit next to a
backup, the canonical line every item is stored as, and the checksums and the
manifest that prove a file whole before a restore writes anything from it.

Backup file layout, for OUT=snapshot.jsonl.gz:
  OUT                 gzip, one canonical DynamoDB-JSON item per line
  OUT.manifest.json   {"items": N, "sha256": ..., "content_digest": ..., ...}
  OUT.partial         backup in progress (one gzip member per Scan page)
  OUT.state           progress of the backup in progress (LastEvaluatedKey, ...)
  OUT.restore-state   progress of a restore in progress (lines done)

Checksums: every line is the item serialised with sorted keys and no
whitespace, binary values in base64 ("canonical line").
  sha256          SHA-256 of the canonical lines in file order, each followed by
                  "\\n" (= SHA-256 of the uncompressed file); checked before a
                  restore writes anything.
  content_digest  order-independent digest of the same lines (sum of the
                  SHA-256 of each line, mod 2^256); checked against a Scan of
                  the table after a restore, whatever order the Scan returns.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from table_access import EXIT_VERIFY_FAILED, ToolError

FORMAT_VERSION = 1


# --------------------------------------------------------------------------
# Canonical lines and checksums
# --------------------------------------------------------------------------


def _convert_binaries(av: dict, convert: Callable[[Any], Any]) -> dict:
    """One attribute value with every binary (B, BS, nested in M and L) converted."""
    (kind, value), = av.items()
    if kind == "B":
        return {"B": convert(value)}
    if kind == "BS":
        return {"BS": [convert(v) for v in value]}
    if kind == "M":
        return {"M": {k: _convert_binaries(v, convert) for k, v in value.items()}}
    if kind == "L":
        return {"L": [_convert_binaries(v, convert) for v in value]}
    return {kind: value}


def _to_base64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def encode_item(item: dict) -> dict:
    """boto3 item (bytes for binaries) -> JSON-able item (base64 text for binaries)."""
    return {k: _convert_binaries(v, _to_base64) for k, v in item.items()}


def decode_item(item: dict) -> dict:
    """The inverse of encode_item: base64 text back to bytes, as BatchWriteItem wants."""
    return {k: _convert_binaries(v, base64.b64decode) for k, v in item.items()}


def _sorted_sets(av: Any) -> Any:
    # Sets have no order; DynamoDB may return them in any order.
    if isinstance(av, dict) and len(av) == 1:
        (kind, value), = av.items()
        if kind in ("SS", "NS", "BS"):
            return {kind: sorted(value)}
        if kind == "M":
            return {"M": {k: _sorted_sets(v) for k, v in value.items()}}
        if kind == "L":
            return {"L": [_sorted_sets(v) for v in value]}
    return av


def _line(encoded: dict) -> str:
    encoded = {k: _sorted_sets(v) for k, v in encoded.items()}
    return json.dumps(encoded, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_line(item: dict) -> str:
    """item from boto3 (bytes for binaries) -> the line stored in the backup."""
    return _line(encode_item(item))


def recanonicalize(line: str) -> str:
    """A line read back from a backup -> its canonical form."""
    return _line(json.loads(line))


class Digest:
    """sha256 over the lines in order, plus an order-independent content digest."""

    MOD = 1 << 256

    def __init__(self) -> None:
        self.count = 0
        self.sha = hashlib.sha256()
        self.content = 0

    def add(self, line: str) -> None:
        data = line.encode("utf-8") + b"\n"
        self.count += 1
        self.sha.update(data)
        self.content = (self.content + int.from_bytes(hashlib.sha256(data).digest(), "big")) % self.MOD

    @property
    def sha256(self) -> str:
        return self.sha.hexdigest()

    @property
    def content_digest(self) -> str:
        return f"{self.content:064x}"


# --------------------------------------------------------------------------
# Files of a backup
# --------------------------------------------------------------------------


def write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_json(path: Path) -> dict | None:
    try:
        with path.open("r", encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        return None
    except json.JSONDecodeError as exc:
        raise ToolError(f"{path} is not valid JSON ({exc}); delete it to start over") from None


def iter_backup_lines(path: Path) -> Iterator[str]:
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="\n") as fh:
            for raw in fh:
                line = raw.rstrip("\n")
                if line:
                    yield line
    except FileNotFoundError:
        raise ToolError(f"backup file not found: {path}") from None
    except (OSError, EOFError) as exc:
        raise ToolError(f"backup file {path} is damaged: {exc}") from None


def sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --------------------------------------------------------------------------
# Manifest
# --------------------------------------------------------------------------


def new_manifest(table: str, source: str, started_at: str, digest: Digest, file_name: str) -> dict:
    """The manifest a finished backup leaves next to its file."""
    return {
        "format": "dynamodb-json-lines+gzip",
        "format_version": FORMAT_VERSION,
        "table": table,
        "source": source,
        "started_at": started_at,
        "finished_at": now_iso(),
        "items": digest.count,
        "sha256": digest.sha256,
        "content_digest": digest.content_digest,
        "file": file_name,
    }


def verify_file(path: Path, manifest: dict) -> Digest:
    digest = Digest()
    for line in iter_backup_lines(path):
        try:
            digest.add(recanonicalize(line))
        except (json.JSONDecodeError, AttributeError, ValueError) as exc:
            raise ToolError(f"line {digest.count + 1} of {path} is not a DynamoDB JSON item: {exc}") from None
    if digest.count != manifest.get("items") or digest.sha256 != manifest.get("sha256"):
        raise ToolError(
            f"{path} does not match its manifest: file has {digest.count} items, sha256 {digest.sha256}; "
            f"manifest says {manifest.get('items')} items, sha256 {manifest.get('sha256')}. Nothing was written.",
            EXIT_VERIFY_FAILED,
        )
    return digest
