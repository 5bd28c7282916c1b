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

This file is the command line only (arguments, exit codes, the one-line error
messages); the work lives in the modules beside it:
  table_schema.py    the template's table resource -> CreateTable; create
  table_backup.py    backup
  table_restore.py   restore
  table_snapshot.py  the backup file format: layout, canonical lines,
                     checksums, manifest
  table_access.py    the DynamoDB client (emulator or AWS), the Scan, the
                     errors and exit codes
Run as a script (python infra/local/table.py ..., from any directory), Python
puts this folder first on sys.path, which is how those modules are found.
"""

from __future__ import annotations

import argparse
import sys

from table_access import EXIT_ERROR, EXIT_INTERRUPTED, ToolError, log, where
from table_backup import cmd_backup
from table_restore import cmd_restore
from table_schema import cmd_create


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
