"""table.py against a real local DynamoDB: create, backup, restore, resume."""

from __future__ import annotations

import gzip
import json
import random
from decimal import Decimal
from pathlib import Path

import pytest

import table as table_cli  # the CLI entry point
import table_access
import table_restore
import table_schema
import table_snapshot

FIXTURE_TEMPLATE = Path(__file__).resolve().parent / "fixtures" / "template.yaml"

N_ITEMS = 300


# ---------------------------------------------------------------- helpers


def make_items(n: int = N_ITEMS, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    items = []
    for i in range(n):
        item = {
            "PK": {"S": f"USER#{i % 37:03d}"},
            "SK": {"S": f"ITEM#{i:05d}"},
            "n": {"N": str(i)},
            "precise": {"N": "123456789012345678901234567890.5" if i % 2 else "-0.001"},
            "text": {"S": f"héllo ✓ 𝄞 \"quoted\" back\\slash\ttab\nnewline #{i}"},
            "bin": {"B": bytes(rng.randrange(256) for _ in range(1 + i % 40)) + b"\x00\xff"},
            "flag": {"BOOL": i % 2 == 0},
            "nothing": {"NULL": True},
            "tags": {"SS": sorted({f"tag{rng.randrange(10)}" for _ in range(1 + i % 5)})},
            "scores": {"NS": sorted({str(rng.randrange(-1000, 1000)) for _ in range(1 + i % 4)} | {"1.5"})},
            "blobs": {"BS": [b"\x01\x02", bytes([i % 256, 0, 255])]},
            "list": {
                "L": [
                    {"S": "a"},
                    {"N": "42"},
                    {"BOOL": False},
                    {"NULL": True},
                    {"B": b"\xde\xad\xbe\xef"},
                    {"M": {"deep": {"L": [{"S": f"x{i}"}, {"SS": ["p", "q"]}]}}},
                ]
            },
            "map": {
                "M": {
                    "name": {"S": f"user {i}"},
                    "age": {"N": str(20 + i % 50)},
                    "nested": {"M": {"empty_list": {"L": []}, "empty_map": {"M": {}}, "ok": {"BOOL": True}}},
                }
            },
        }
        if i % 3 == 0:
            item["GSI1PK"] = {"S": f"EMAIL#{i % 11}"}
            item["GSI1SK"] = {"S": f"{i:05d}"}
        if i % 5 == 0:
            item["expires_at"] = {"N": str(4_000_000_000 + i)}  # far future: never expired by TTL
        items.append(item)
    return items


def put_items(client, table: str, items: list[dict]) -> None:
    for start in range(0, len(items), 25):
        batch = items[start : start + 25]
        table_restore.batch_write(client, table, batch)


def scan_all(client, table: str) -> dict[tuple[str, str], str]:
    """(PK, SK) -> canonical line (sets sorted, binaries base64)."""
    out = {}
    for items, _ in table_access.scan_pages(client, table, None, None):
        for item in items:
            key = (item["PK"]["S"], item["SK"]["S"])
            assert key not in out, f"duplicate item {key}"
            out[key] = table_snapshot.canonical_line(item)
    return out


def expected(items: list[dict]) -> dict[tuple[str, str], str]:
    return {(it["PK"]["S"], it["SK"]["S"]): table_snapshot.canonical_line(it) for it in items}


def create(tool, table: str) -> None:
    proc = tool("create", "--template", str(FIXTURE_TEMPLATE), "--table", table)
    assert proc.stdout.strip() == "status=created"


def read_lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [line.rstrip("\n") for line in fh]


# ---------------------------------------------------------------- template


def test_loader_accepts_cloudformation_short_tags():
    doc = table_schema.load_template(FIXTURE_TEMPLATE)
    env = doc["Resources"]["HealthFunction"]["Properties"]["Environment"]["Variables"]
    assert env["TABLE_NAME"] == {"Ref": "Table"}
    assert env["TABLE_ARN"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert env["GREETING"] == {"Fn::Join": ["-", ["hello", {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}]]}
    assert env["BASE64"] == {"Fn::Base64": "x"}
    assert env["SUB_LIST"] == {"Fn::Sub": ["${Name}-x", {"Name": {"Ref": "Stage"}}]}
    assert doc["Conditions"]["IsProd"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    assert doc["Outputs"]["TableArn"]["Value"] == {"Fn::GetAtt": ["Table", "Arn"]}


def test_spec_takes_only_what_create_table_needs():
    spec = table_schema.table_spec_from_template(table_schema.load_template(FIXTURE_TEMPLATE))
    create_args = spec["create"]
    assert set(create_args) == {"AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes"}
    assert create_args["BillingMode"] == "PAY_PER_REQUEST"
    assert [k["AttributeName"] for k in create_args["KeySchema"]] == ["PK", "SK"]
    assert [g["IndexName"] for g in create_args["GlobalSecondaryIndexes"]] == ["GSI1"]
    assert spec["ttl"] == {"AttributeName": "expires_at", "Enabled": True}


def test_intrinsic_in_a_needed_property_is_a_clear_error(tmp_path):
    text = FIXTURE_TEMPLATE.read_text().replace(
        "BillingMode: PAY_PER_REQUEST", "BillingMode: !If [IsProd, PAY_PER_REQUEST, PROVISIONED]"
    )
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(table_access.ToolError, match="BillingMode uses a CloudFormation intrinsic"):
        table_schema.table_spec_from_template(table_schema.load_template(path))


# ---------------------------------------------------------------- create


def test_create_from_template(tool, client, table_name):
    create(tool, table_name)
    desc = client.describe_table(TableName=table_name)["Table"]
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    (gsi,) = desc["GlobalSecondaryIndexes"]
    assert gsi["IndexName"] == "GSI1"
    assert [k["AttributeName"] for k in gsi["KeySchema"]] == ["GSI1PK", "GSI1SK"]
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = client.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "ENABLED"
    assert ttl["AttributeName"] == "expires_at"

    again = tool("create", "--template", str(FIXTURE_TEMPLATE), "--table", table_name, "--if-missing")
    assert again.stdout.strip() == "status=exists"
    refused = tool("create", "--template", str(FIXTURE_TEMPLATE), "--table", table_name, check=False)
    assert refused.returncode == 1
    assert "already exists" in refused.stderr


# ---------------------------------------------------------------- round trip


def test_backup_restore_round_trip(tool, client, table_name, tmp_path):
    items = make_items()
    create(tool, table_name)
    put_items(client, table_name, items)
    assert scan_all(client, table_name) == expected(items)

    out = tmp_path / "backup.jsonl.gz"
    proc = tool("backup", "--table", table_name, "--out", str(out), "--page-size", "40")
    report = json.loads(proc.stdout)
    assert report["items"] == N_ITEMS

    manifest = json.loads((tmp_path / "backup.jsonl.gz.manifest.json").read_text())
    lines = read_lines(out)
    assert manifest["items"] == len(lines) == N_ITEMS
    # sha256 is that of the canonical lines, i.e. of the uncompressed file
    import hashlib

    assert manifest["sha256"] == hashlib.sha256(gzip.decompress(out.read_bytes())).hexdigest() == report["sha256"]
    assert sorted(lines) == sorted(expected(items).values())
    # one gzip member per Scan page of 40 items (300 -> 8 pages)
    assert not (tmp_path / "backup.jsonl.gz.partial").exists()
    assert not (tmp_path / "backup.jsonl.gz.state").exists()

    client.delete_table(TableName=table_name)
    client.get_waiter("table_not_exists").wait(TableName=table_name)
    create(tool, table_name)
    assert scan_all(client, table_name) == {}

    proc = tool("restore", "--table", table_name, "--in", str(out))
    report = json.loads(proc.stdout)
    assert report["items"] == N_ITEMS
    assert report["table_verified"] is True
    assert report["table_items"] == N_ITEMS
    assert scan_all(client, table_name) == expected(items)

    # The restored binaries are bytes again, not base64 text.
    got = client.get_item(TableName=table_name, Key={"PK": items[5]["PK"], "SK": items[5]["SK"]})["Item"]
    assert got["bin"]["B"] == items[5]["bin"]["B"]
    assert got["list"]["L"][4]["B"] == b"\xde\xad\xbe\xef"
    assert Decimal(got["precise"]["N"]) == Decimal("123456789012345678901234567890.5")


# ---------------------------------------------------------------- resume


def test_backup_resumes_after_interruption(tool, client, table_name, tmp_path):
    items = make_items()
    create(tool, table_name)
    put_items(client, table_name, items)
    out = tmp_path / "b.jsonl.gz"
    partial = tmp_path / "b.jsonl.gz.partial"
    state_path = tmp_path / "b.jsonl.gz.state"

    first = tool("backup", "--table", table_name, "--out", str(out), "--page-size", "50", "--stop-after-pages", "2", check=False)
    assert first.returncode == table_access.EXIT_INTERRUPTED, first.stderr
    assert "run the same command again to resume" in first.stderr
    assert not out.exists()
    state = json.loads(state_path.read_text())
    assert state["items"] == 100 and state["pages"] == 2
    assert state["last_evaluated_key"]
    assert len(read_lines(partial)) == 100

    # A crash in the middle of writing the third page leaves a torn gzip member.
    with partial.open("ab") as fh:
        fh.write(gzip.compress(b'{"PK":{"S":"torn"}}\n')[:15])

    second = tool("backup", "--table", table_name, "--out", str(out), "--page-size", "50")
    assert "resuming backup" in second.stderr
    assert json.loads(second.stdout)["items"] == N_ITEMS
    assert not partial.exists() and not state_path.exists()
    lines = read_lines(out)
    assert len(lines) == len(set(lines)) == N_ITEMS
    assert sorted(lines) == sorted(expected(items).values())
    manifest = json.loads((tmp_path / "b.jsonl.gz.manifest.json").read_text())
    full = table_snapshot.Digest()
    for line in lines:
        full.add(line)
    assert manifest["sha256"] == full.sha256 and manifest["items"] == N_ITEMS


def test_restore_resumes_after_interruption(tool, client, table_name, tmp_path):
    items = make_items()
    create(tool, table_name)
    put_items(client, table_name, items)
    out = tmp_path / "r.jsonl.gz"
    tool("backup", "--table", table_name, "--out", str(out))
    client.delete_table(TableName=table_name)
    client.get_waiter("table_not_exists").wait(TableName=table_name)
    create(tool, table_name)

    first = tool("restore", "--table", table_name, "--in", str(out), "--stop-after-batches", "3", check=False)
    assert first.returncode == table_access.EXIT_INTERRUPTED, first.stderr
    assert len(scan_all(client, table_name)) == 75
    state = json.loads((tmp_path / "r.jsonl.gz.restore-state").read_text())
    assert state["lines_done"] == 75

    second = tool("restore", "--table", table_name, "--in", str(out))
    report = json.loads(second.stdout)
    assert "resuming restore" in second.stderr
    assert report["resumed_from"] == 75
    assert report["items"] == N_ITEMS and report["table_verified"] is True
    assert scan_all(client, table_name) == expected(items)
    assert not (tmp_path / "r.jsonl.gz.restore-state").exists()


# ---------------------------------------------------------------- verification


def test_restore_refuses_a_file_that_does_not_match_its_manifest(tool, client, table_name, tmp_path):
    items = make_items(30)
    create(tool, table_name)
    put_items(client, table_name, items)
    out = tmp_path / "c.jsonl.gz"
    tool("backup", "--table", table_name, "--out", str(out))
    lines = read_lines(out)
    lines[7] = lines[7].replace("user 7", "user 8")
    out.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))

    target = table_name + "-2"
    create(tool, target)
    proc = tool("restore", "--table", target, "--in", str(out), check=False)
    assert proc.returncode == table_access.EXIT_VERIFY_FAILED
    assert "does not match its manifest" in proc.stderr
    assert scan_all(client, target) == {}, "nothing may be written from a damaged backup"


def test_restore_reports_a_table_that_ends_up_different(tool, client, table_name, tmp_path):
    items = make_items(30)
    create(tool, table_name)
    put_items(client, table_name, items)
    out = tmp_path / "d.jsonl.gz"
    tool("backup", "--table", table_name, "--out", str(out))
    client.put_item(TableName=table_name, Item={"PK": {"S": "extra"}, "SK": {"S": "extra"}})
    proc = tool("restore", "--table", table_name, "--in", str(out), check=False)
    assert proc.returncode == table_access.EXIT_VERIFY_FAILED
    assert "VERIFY FAILED" in proc.stderr and "holds 31 items" in proc.stderr


class FlakyClient:
    """Real client; records every BatchWriteItem size and leaves part of some batches unprocessed."""

    def __init__(self, real):
        self.real = real
        self.exceptions = real.exceptions
        self.batch_sizes: list[int] = []
        self.calls = 0

    def __getattr__(self, name):
        return getattr(self.real, name)

    def batch_write_item(self, RequestItems):
        ((table, requests),) = RequestItems.items()
        self.batch_sizes.append(len(requests))
        self.calls += 1
        if self.calls % 3 == 1 and len(requests) > 1:
            # Like a throttled DynamoDB: process the first half only.
            half = len(requests) // 2
            self.real.batch_write_item(RequestItems={table: requests[:half]})
            return {"UnprocessedItems": {table: requests[half:]}}
        return self.real.batch_write_item(RequestItems=RequestItems)


def test_restore_writes_at_most_25_items_per_request_and_retries_unprocessed(
    tool, client, dynamodb_endpoint, table_name, tmp_path, monkeypatch
):
    items = make_items()
    create(tool, table_name)
    put_items(client, table_name, items)
    out = tmp_path / "e.jsonl.gz"
    tool("backup", "--table", table_name, "--out", str(out))
    target = table_name + "-2"
    create(tool, target)

    flaky = FlakyClient(table_access.make_client(dynamodb_endpoint, "us-east-1"))
    monkeypatch.setattr(table_restore, "make_client", lambda endpoint, region: flaky)
    monkeypatch.setattr(table_restore.time, "sleep", lambda s: None)
    rc = table_cli.main(["restore", "--endpoint", dynamodb_endpoint, "--table", target, "--in", str(out)])
    assert rc == 0
    assert max(flaky.batch_sizes) == 25
    # 12 full batches, each sent once in full; the retries carry only the unprocessed rest
    assert flaky.batch_sizes.count(25) == N_ITEMS // 25
    assert len(flaky.batch_sizes) > N_ITEMS // 25, "some UnprocessedItems must have been retried"
    assert scan_all(client, target) == expected(items)


def test_batch_write_rejects_more_than_25(client, table_name):
    with pytest.raises(ValueError):
        table_restore.batch_write(client, table_name, [{"PK": {"S": str(i)}, "SK": {"S": "x"}} for i in range(26)])


def test_batch_write_gives_up_after_max_attempts(client):
    class AlwaysThrottled:
        def batch_write_item(self, RequestItems):
            return {"UnprocessedItems": RequestItems}

    with pytest.raises(table_access.ToolError, match="still unprocessed after 4 attempts"):
        table_restore.batch_write(AlwaysThrottled(), "t", [{"PK": {"S": "a"}}], max_attempts=4, sleep=lambda s: None)
