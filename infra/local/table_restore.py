"""The `restore` command: a snapshot written back into a table, checked at both ends.

It backs `make restore`, the reload of the dev snapshot when the stack starts,
and the runbook's repair of a live table. Nothing is written unless the file
matches its manifest; items go in BatchWriteItem requests of at most 25, with
UnprocessedItems retried under backoff so a throttled table slows the restore
down instead of losing items; progress is checkpointed so an interrupted
restore resumes; and a final Scan proves the table holds exactly what the
backup holds.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from table_access import EXIT_INTERRUPTED, EXIT_OK, EXIT_VERIFY_FAILED, Interrupted, ToolError, log, where
from table_access import describe_table, make_client, scan_pages
from table_snapshot import Digest, canonical_line, decode_item, iter_backup_lines, verify_file
from table_snapshot import now_iso, read_json, sidecar, write_json_atomic

BATCH_WRITE_LIMIT = 25  # DynamoDB's hard limit per BatchWriteItem request


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
