#!/usr/bin/env python3
"""DynamoDB table tool for the local stack and for real AWS.

Subcommands:

  create   create the table described by the AWS::DynamoDB::Table resource of a
           CloudFormation/SAM template (no second, hand-written copy of the schema)
  backup   full Scan into gzip'd JSON lines (DynamoDB JSON, one item per line),
           resumable, with a manifest (item count + SHA-256)
  restore  BatchWriteItem (25 items per request) from such a backup, resumable,
           verified against the manifest

Without --endpoint the commands talk to real AWS with the credentials and region
of the environment (AWS_PROFILE, AWS_REGION, ...).

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

import argparse
import base64
import gzip
import hashlib
import json
import os
import random
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urlparse

import cfn_template  # the one template loader, beside this file

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_VERIFY_FAILED = 3
EXIT_INTERRUPTED = 75  # EX_TEMPFAIL: run the same command again to resume

BATCH_WRITE_LIMIT = 25  # DynamoDB's hard limit per BatchWriteItem request
FORMAT_VERSION = 1
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


class ToolError(Exception):
    """An error with a message for the user; exit code 1 unless given."""

    def __init__(self, message: str, code: int = EXIT_ERROR):
        super().__init__(message)
        self.code = code


class Interrupted(Exception):
    """Stopped on purpose (--stop-after-*) or by Ctrl-C at a safe point."""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# CloudFormation template
# --------------------------------------------------------------------------


def load_template(path: Path) -> dict:
    try:
        return cfn_template.load(path)
    except cfn_template.TemplateError as exc:
        raise ToolError(str(exc)) from None


def _is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and (
        "Ref" in value or next(iter(value)).startswith("Fn::")
    )


def _contains_intrinsic(value: Any) -> bool:
    if _is_intrinsic(value):
        return True
    if isinstance(value, dict):
        return any(_contains_intrinsic(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_intrinsic(v) for v in value)
    return False


def find_table_resource(template: dict, logical_id: str | None) -> tuple[str, dict]:
    resources = template.get("Resources") or {}
    tables = {
        name: res
        for name, res in resources.items()
        if isinstance(res, dict) and res.get("Type") == "AWS::DynamoDB::Table"
    }
    if logical_id:
        if logical_id not in tables:
            raise ToolError(
                f"no AWS::DynamoDB::Table resource named {logical_id!r} in the template "
                f"(tables: {', '.join(sorted(tables)) or 'none'})"
            )
        return logical_id, tables[logical_id]
    if "Table" in tables:
        return "Table", tables["Table"]
    if len(tables) == 1:
        return next(iter(tables.items()))
    raise ToolError(
        "cannot pick the table resource: expected one named 'Table' or exactly one "
        f"AWS::DynamoDB::Table (found: {', '.join(sorted(tables)) or 'none'}); use --resource"
    )


# CreateTable fields taken from the CloudFormation resource. Everything else
# (PointInTimeRecoverySpecification, SSESpecification, DeletionProtectionEnabled,
# Tags, TableName, ...) is deliberately ignored: the emulator does not need it,
# and in AWS it is CloudFormation's job.
_GSI_FIELDS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput", "OnDemandThroughput")
_LSI_FIELDS = ("IndexName", "KeySchema", "Projection")


def _need_literal(name: str, value: Any) -> Any:
    if _contains_intrinsic(value):
        raise ToolError(
            f"table property {name} uses a CloudFormation intrinsic function, which this "
            "tool cannot resolve; write it as a literal value in the template"
        )
    return value


def table_spec_from_template(template: dict, logical_id: str | None = None) -> dict:
    """Return {'create': CreateTable kwargs without TableName, 'ttl': spec or None}."""
    name, resource = find_table_resource(template, logical_id)
    props = resource.get("Properties") or {}
    create: dict[str, Any] = {}
    for key in ("AttributeDefinitions", "KeySchema"):
        if key not in props:
            raise ToolError(f"resource {name} has no {key}")
        create[key] = _need_literal(key, props[key])
    billing = _need_literal("BillingMode", props.get("BillingMode", "PROVISIONED"))
    create["BillingMode"] = billing
    if billing == "PROVISIONED":
        create["ProvisionedThroughput"] = _need_literal(
            "ProvisionedThroughput",
            props.get("ProvisionedThroughput") or {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        )
    if props.get("GlobalSecondaryIndexes"):
        gsis = _need_literal("GlobalSecondaryIndexes", props["GlobalSecondaryIndexes"])
        create["GlobalSecondaryIndexes"] = [
            {k: gsi[k] for k in _GSI_FIELDS if k in gsi and (k != "ProvisionedThroughput" or billing == "PROVISIONED")}
            for gsi in gsis
        ]
    if props.get("LocalSecondaryIndexes"):
        lsis = _need_literal("LocalSecondaryIndexes", props["LocalSecondaryIndexes"])
        create["LocalSecondaryIndexes"] = [{k: lsi[k] for k in _LSI_FIELDS if k in lsi} for lsi in lsis]
    ttl = None
    if props.get("TimeToLiveSpecification"):
        ttl = _need_literal("TimeToLiveSpecification", props["TimeToLiveSpecification"])
        enabled = ttl.get("Enabled", True)
        if isinstance(enabled, str):
            enabled = enabled.lower() == "true"
        ttl = {"AttributeName": ttl["AttributeName"], "Enabled": bool(enabled)}
    return {"resource": name, "create": create, "ttl": ttl}


# --------------------------------------------------------------------------
# AWS client
# --------------------------------------------------------------------------


def make_client(endpoint: str | None, region: str | None):
    import boto3
    from botocore.config import Config

    config = Config(retries={"max_attempts": 10, "mode": "adaptive"}, connect_timeout=5, read_timeout=60)
    kwargs: dict[str, Any] = {"config": config}
    # The Rust SDK reads AWS_REGION; older boto3 only AWS_DEFAULT_REGION: accept both.
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if endpoint:
        kwargs["endpoint_url"] = endpoint
        host = urlparse(endpoint).hostname or ""
        if host in LOCAL_HOSTS or host.startswith("127."):
            # The emulator accepts anything; never send real credentials to it and
            # never trip over a missing/expired AWS profile of the developer's shell.
            for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
                os.environ.pop(var, None)
            kwargs["aws_access_key_id"] = "local"
            kwargs["aws_secret_access_key"] = "local"
            kwargs["aws_session_token"] = None
        region = region or "us-east-1"
    if region:
        kwargs["region_name"] = region
    try:
        return boto3.client("dynamodb", **kwargs)
    except Exception as exc:  # NoRegionError and friends
        raise ToolError(f"cannot create a DynamoDB client: {exc} (set AWS_REGION or pass --region)") from None


def where(args) -> str:
    return args.endpoint or f"AWS ({getattr(args, 'region', None) or os.environ.get('AWS_REGION') or os.environ.get('AWS_DEFAULT_REGION') or 'default region'})"


def describe_table(client, table: str) -> dict | None:
    try:
        return client.describe_table(TableName=table)["Table"]
    except client.exceptions.ResourceNotFoundException:
        return None


# --------------------------------------------------------------------------
# create
# --------------------------------------------------------------------------


def _schema_drift(existing: dict, create: dict) -> list[str]:
    problems = []
    if existing.get("KeySchema") != create["KeySchema"]:
        problems.append(f"KeySchema is {existing.get('KeySchema')}, template says {create['KeySchema']}")
    have = sorted(g["IndexName"] for g in existing.get("GlobalSecondaryIndexes") or [])
    want = sorted(g["IndexName"] for g in create.get("GlobalSecondaryIndexes") or [])
    if have != want:
        problems.append(f"global secondary indexes are {have}, template says {want}")
    return problems


def cmd_create(args) -> int:
    spec = table_spec_from_template(load_template(Path(args.template)), args.resource)
    client = make_client(args.endpoint, args.region)
    existing = describe_table(client, args.table)
    if existing is not None:
        if not args.if_missing:
            raise ToolError(f"table {args.table} already exists at {where(args)} (use --if-missing to accept that)")
        for problem in _schema_drift(existing, spec["create"]):
            log(f"warning: existing table {args.table} differs from the template: {problem}")
        log(f"table {args.table} already exists at {where(args)}")
        print("status=exists")
        return EXIT_OK
    client.create_table(TableName=args.table, **spec["create"])
    client.get_waiter("table_exists").wait(TableName=args.table, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    if spec["ttl"]:
        client.update_time_to_live(TableName=args.table, TimeToLiveSpecification=spec["ttl"])
    gsis = ", ".join(g["IndexName"] for g in spec["create"].get("GlobalSecondaryIndexes", [])) or "none"
    ttl = spec["ttl"]["AttributeName"] if spec["ttl"] and spec["ttl"]["Enabled"] else "off"
    log(
        f"created table {args.table} at {where(args)} from {args.template} resource {spec['resource']} "
        f"(keys {[k['AttributeName'] for k in spec['create']['KeySchema']]}, GSIs {gsis}, "
        f"TTL {ttl}, {spec['create']['BillingMode']})"
    )
    print("status=created")
    return EXIT_OK


# --------------------------------------------------------------------------
# Canonical lines and checksums
# --------------------------------------------------------------------------


def _encode_value(av: dict) -> dict:
    (kind, value), = av.items()
    if kind == "B":
        return {"B": base64.b64encode(value).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(v).decode("ascii") for v in value]}
    if kind == "M":
        return {"M": {k: _encode_value(v) for k, v in value.items()}}
    if kind == "L":
        return {"L": [_encode_value(v) for v in value]}
    return {kind: value}


def _decode_value(av: dict) -> dict:
    (kind, value), = av.items()
    if kind == "B":
        return {"B": base64.b64decode(value)}
    if kind == "BS":
        return {"BS": [base64.b64decode(v) for v in value]}
    if kind == "M":
        return {"M": {k: _decode_value(v) for k, v in value.items()}}
    if kind == "L":
        return {"L": [_decode_value(v) for v in value]}
    return {kind: value}


def encode_item(item: dict) -> dict:
    return {k: _encode_value(v) for k, v in item.items()}


def decode_item(item: dict) -> dict:
    return {k: _decode_value(v) for k, v in item.items()}


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


def canonical_line(item: dict) -> str:
    """item from boto3 (bytes for binaries) -> the line stored in the backup."""
    encoded = {k: _sorted_sets(v) for k, v in encode_item(item).items()}
    return json.dumps(encoded, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def recanonicalize(line: str) -> str:
    encoded = json.loads(line)
    encoded = {k: _sorted_sets(v) for k, v in encoded.items()}
    return json.dumps(encoded, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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
# Small file helpers
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


def scan_pages(client, table: str, start_key: dict | None, page_size: int | None) -> Iterator[tuple[list, dict | None]]:
    kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    if page_size:
        kwargs["Limit"] = page_size
    key = start_key
    while True:
        if key:
            kwargs["ExclusiveStartKey"] = key
        else:
            kwargs.pop("ExclusiveStartKey", None)
        resp = client.scan(**kwargs)
        key = resp.get("LastEvaluatedKey")
        yield resp.get("Items", []), key
        if not key:
            return


# --------------------------------------------------------------------------
# backup
# --------------------------------------------------------------------------


def cmd_backup(args) -> int:
    out = Path(args.out)
    partial, state_path, manifest_path = sidecar(out, ".partial"), sidecar(out, ".state"), sidecar(out, ".manifest.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    client = make_client(args.endpoint, args.region)
    if describe_table(client, args.table) is None:
        raise ToolError(f"table {args.table} does not exist at {where(args)}")

    state = None if args.fresh else read_json(state_path)
    if state is not None and not partial.exists():
        log(f"warning: {state_path} exists but {partial} does not; starting a fresh backup")
        state = None
    if state is not None and (state.get("table") != args.table or state.get("endpoint") != args.endpoint):
        raise ToolError(
            f"{state_path} belongs to a backup of table {state.get('table')} at "
            f"{state.get('endpoint') or 'AWS'}; pass --fresh to discard it"
        )

    digest = Digest()
    if state is None:
        state = {
            "table": args.table,
            "endpoint": args.endpoint,
            "started_at": now_iso(),
            "bytes": 0,
            "items": 0,
            "pages": 0,
            "last_evaluated_key": None,
        }
        partial.write_bytes(b"")
        write_json_atomic(state_path, state)
    else:
        # Drop whatever was written after the last checkpoint (a torn gzip member).
        with partial.open("r+b") as fh:
            fh.truncate(state["bytes"])
        if state["bytes"]:
            for line in iter_backup_lines(partial):
                digest.add(line)
        if digest.count != state["items"]:
            raise ToolError(
                f"{partial} holds {digest.count} items but {state_path} says {state['items']}; "
                "pass --fresh to start over"
            )
        log(f"resuming backup of {args.table}: {state['items']} items in {state['pages']} pages already saved")

    pages_this_run = 0
    try:
        with partial.open("ab") as fh:
            for items, last_key in scan_pages(client, args.table, state["last_evaluated_key"], args.page_size):
                lines = [canonical_line(item) for item in items]
                if lines:
                    payload = ("\n".join(lines) + "\n").encode("utf-8")
                    fh.write(gzip.compress(payload, compresslevel=6, mtime=0))
                    fh.flush()
                    os.fsync(fh.fileno())
                for line in lines:
                    digest.add(line)
                state.update(
                    bytes=fh.tell(),
                    items=digest.count,
                    pages=state["pages"] + 1,
                    last_evaluated_key=last_key,
                )
                write_json_atomic(state_path, state)
                pages_this_run += 1
                if last_key and args.stop_after_pages and pages_this_run >= args.stop_after_pages:
                    raise Interrupted(f"stopped after {pages_this_run} pages (--stop-after-pages)")
    except (Interrupted, KeyboardInterrupt) as exc:
        log(
            f"backup interrupted ({exc or 'Ctrl-C'}): {state['items']} items saved so far in {partial}; "
            "run the same command again to resume"
        )
        return EXIT_INTERRUPTED

    manifest = {
        "format": "dynamodb-json-lines+gzip",
        "format_version": FORMAT_VERSION,
        "table": args.table,
        "source": args.endpoint or "aws",
        "started_at": state["started_at"],
        "finished_at": now_iso(),
        "items": digest.count,
        "sha256": digest.sha256,
        "content_digest": digest.content_digest,
        "file": out.name,
    }
    write_json_atomic(sidecar(manifest_path, ".new"), manifest)
    os.replace(partial, out)
    os.replace(sidecar(manifest_path, ".new"), manifest_path)
    state_path.unlink(missing_ok=True)
    report = {"command": "backup", "table": args.table, "file": str(out), "items": digest.count, "sha256": digest.sha256}
    log(f"backup of {args.table} complete: {digest.count} items -> {out}")
    log(f"  sha256 {digest.sha256}")
    log(f"  manifest {manifest_path}")
    print(json.dumps(report, sort_keys=True))
    return EXIT_OK


# --------------------------------------------------------------------------
# restore
# --------------------------------------------------------------------------


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


def batch_write(
    client,
    table: str,
    items: list[dict],
    *,
    max_attempts: int = 12,
    base_delay: float = 0.05,
    max_delay: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Write up to 25 items; retry UnprocessedItems with exponential backoff + jitter.

    Returns the number of retries that were needed.
    """
    if len(items) > BATCH_WRITE_LIMIT:
        raise ValueError(f"a batch holds at most {BATCH_WRITE_LIMIT} items, got {len(items)}")
    pending = {table: [{"PutRequest": {"Item": item}} for item in items]}
    retries = 0
    for attempt in range(max_attempts):
        resp = client.batch_write_item(RequestItems=pending)
        unprocessed = resp.get("UnprocessedItems") or {}
        if not unprocessed.get(table):
            return retries
        pending = {table: unprocessed[table]}
        retries += 1
        sleep(random.uniform(0, min(max_delay, base_delay * (2**attempt))))
    raise ToolError(f"{len(pending[table])} items still unprocessed after {max_attempts} attempts (throttled?)")


def chunks(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def scan_digest(client, table: str) -> Digest:
    digest = Digest()
    for items, _ in scan_pages(client, table, None, None):
        for item in items:
            digest.add(canonical_line(item))
    return digest


def cmd_restore(args) -> int:
    src = Path(args.input)
    manifest_path = Path(args.manifest) if args.manifest else sidecar(src, ".manifest.json")
    state_path = sidecar(src, ".restore-state")
    manifest = read_json(manifest_path)
    if manifest is None:
        raise ToolError(f"manifest not found: {manifest_path} (it is written by the backup next to the file)")
    if not args.endpoint and not args.yes:
        raise ToolError(
            f"restore writes into the real AWS table {args.table} ({where(args)}); pass --yes to confirm "
            "(make restore: YES=1)"
        )
    client = make_client(args.endpoint, args.region)
    if describe_table(client, args.table) is None:
        raise ToolError(f"table {args.table} does not exist at {where(args)}; create it first (table.py create)")

    # 1. The file must match the manifest before anything is written.
    file_digest = verify_file(src, manifest)
    log(f"backup file verified: {file_digest.count} items, sha256 {file_digest.sha256}")

    # 2. Resume point.
    state = None if args.fresh else read_json(state_path)
    if state is not None and (
        state.get("table") != args.table or state.get("endpoint") != args.endpoint or state.get("sha256") != manifest["sha256"]
    ):
        raise ToolError(
            f"{state_path} belongs to another restore (table {state.get('table')}, backup {state.get('sha256')}); "
            "pass --fresh to discard it"
        )
    if state is None:
        state = {"table": args.table, "endpoint": args.endpoint, "sha256": manifest["sha256"], "lines_done": 0, "started_at": now_iso()}
        write_json_atomic(state_path, state)
    else:
        log(f"resuming restore of {args.table}: {state['lines_done']} of {manifest['items']} items already written")

    skip = state["lines_done"]
    batches_this_run = 0
    retries = 0
    lines = (line for i, line in enumerate(iter_backup_lines(src)) if i >= skip)
    try:
        for chunk in chunks(lines, BATCH_WRITE_LIMIT):
            items = [decode_item(json.loads(line)) for line in chunk]
            retries += batch_write(client, args.table, items)
            state["lines_done"] += len(chunk)
            write_json_atomic(state_path, state)
            batches_this_run += 1
            if args.stop_after_batches and batches_this_run >= args.stop_after_batches and state["lines_done"] < manifest["items"]:
                raise Interrupted(f"stopped after {batches_this_run} batches (--stop-after-batches)")
    except (Interrupted, KeyboardInterrupt) as exc:
        log(
            f"restore interrupted ({exc or 'Ctrl-C'}): {state['lines_done']} of {manifest['items']} items written; "
            "run the same command again to resume"
        )
        return EXIT_INTERRUPTED

    report: dict[str, Any] = {
        "command": "restore",
        "table": args.table,
        "file": str(src),
        "items": state["lines_done"],
        "sha256": file_digest.sha256,
        "retries": retries,
        "resumed_from": skip,
    }
    # 3. The table must now hold exactly what the backup holds.
    if args.no_verify_table:
        report["table_verified"] = "skipped"
    else:
        table_digest = scan_digest(client, args.table)
        ok = table_digest.count == manifest["items"] and table_digest.content_digest == manifest["content_digest"]
        report["table_items"] = table_digest.count
        report["table_verified"] = ok
        if not ok:
            log(
                f"VERIFY FAILED: table {args.table} holds {table_digest.count} items (content digest "
                f"{table_digest.content_digest}); backup has {manifest['items']} items ({manifest['content_digest']}). "
                "Was the table not empty before the restore?"
            )
            print(json.dumps(report, sort_keys=True))
            state_path.unlink(missing_ok=True)
            return EXIT_VERIFY_FAILED
    state_path.unlink(missing_ok=True)
    log(f"restore of {args.table} complete: {report['items']} items from {src} ({retries} retries)")
    log(f"  sha256 {file_digest.sha256} matches the manifest")
    if report["table_verified"] is True:
        log(f"  table scan verified: {report['table_items']} items, content digest matches")
    print(json.dumps(report, sort_keys=True))
    return EXIT_OK


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--endpoint", default=None, help="DynamoDB endpoint URL (omit for real AWS)")
        p.add_argument("--region", default=None, help="AWS region (default: environment; us-east-1 for an --endpoint)")
        p.add_argument("--table", required=True, help="table name")

    p = sub.add_parser("create", help="create the table from the template's AWS::DynamoDB::Table")
    common(p)
    p.add_argument("--template", required=True, help="CloudFormation/SAM template (YAML)")
    p.add_argument("--resource", default=None, help="logical id of the table resource (default: Table)")
    p.add_argument("--if-missing", action="store_true", help="succeed when the table already exists")
    p.set_defaults(func=cmd_create)

    p = sub.add_parser("backup", help="Scan the table into FILE.jsonl.gz (+ .manifest.json)")
    common(p)
    p.add_argument("--out", required=True, help="output file, e.g. backup.jsonl.gz")
    p.add_argument("--page-size", type=int, default=None, help="Scan Limit per page (default: DynamoDB's 1 MB pages)")
    p.add_argument("--fresh", action="store_true", help="ignore an interrupted backup's progress and start over")
    p.add_argument("--stop-after-pages", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="BatchWriteItem a backup into the table, verified against its manifest")
    common(p)
    p.add_argument("--in", dest="input", required=True, help="backup file written by backup")
    p.add_argument("--manifest", default=None, help="manifest (default: FILE.manifest.json)")
    p.add_argument("--fresh", action="store_true", help="ignore an interrupted restore's progress and start over")
    p.add_argument("--no-verify-table", action="store_true", help="skip the final Scan that checks the table")
    p.add_argument("--yes", action="store_true", help="confirm a restore into real AWS (no --endpoint)")
    p.add_argument("--stop-after-batches", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_restore)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.endpoint == "":
        args.endpoint = None
    try:
        return args.func(args)
    except ToolError as exc:
        log(f"error: {exc}")
        return exc.code
    except KeyboardInterrupt:
        log("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # botocore errors: one clear line, not a traceback
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(exc, (BotoCoreError, ClientError)):
            log(f"error: {args.command} against {where(args)} failed: {exc}")
            return EXIT_ERROR
        raise


if __name__ == "__main__":
    sys.exit(main())
