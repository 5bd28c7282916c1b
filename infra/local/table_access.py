"""Reaching the table, and failing the same way everywhere.

Every table command (create, backup, restore) talks to one DynamoDB: the local
emulator of `make dev` and `make test` when given --endpoint, real AWS with the
environment's credentials and region otherwise. This module makes that choice
in one place (so real credentials never go to the emulator), holds the
consistent Scan that both a backup and a restore's final check read the table
with, and the errors and exit codes the CLI turns into one clear line: 3 when a
check fails, 75 when the same command run again resumes.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Iterator
from urllib.parse import urlparse

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_VERIFY_FAILED = 3
EXIT_INTERRUPTED = 75  # EX_TEMPFAIL: run the same command again to resume

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
