"""The `backup` command: a full, resumable Scan of the table into a snapshot.

It backs `make backup`, the snapshot the dev stack takes when it stops, and the
export step of the runbook's point-in-time recovery. A Scan of a large AWS table
can be cut short (Ctrl-C, a dropped connection, a crash), so every Scan page is
saved as its own gzip member with a checkpoint beside it, the same command run
again resumes from the last checkpoint, and the manifest appears only once the
whole table is in the file. The format itself is table_snapshot.py's.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from table_access import EXIT_INTERRUPTED, EXIT_OK, Interrupted, ToolError, log, where
from table_access import describe_table, make_client, scan_pages
from table_snapshot import Digest, canonical_line, iter_backup_lines, new_manifest
from table_snapshot import now_iso, read_json, sidecar, write_json_atomic


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

    manifest = new_manifest(args.table, args.endpoint or "aws", state["started_at"], digest, out.name)
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
