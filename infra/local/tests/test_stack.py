"""The dev stack's DynamoDB (Dynoxide on a file): data that survives a crash,
and a start that stops at once, naming the cause and the fix, when the
engine cannot start. Nothing is lost: an unreadable data file is moved
aside, never overwritten."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

from conftest import ROOT, dynoxide_command, free_port, make_boto_client, start_engine, stop_engine

STACK_SH = ROOT / "infra" / "local" / "stack.sh"


def test_committed_writes_survive_a_crash(tmp_path):
    data = tmp_path / "dynamodb.sqlite"
    port = free_port()
    engine = start_engine(dynoxide_command(port, data), port, tmp_path / "engine.log")
    client = make_boto_client(f"http://127.0.0.1:{port}")
    client.create_table(
        TableName="crash-test",
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.put_item(TableName="crash-test", Item={"PK": {"S": "kept"}, "n": {"N": "1"}})
    engine.send_signal(signal.SIGKILL)  # no shutdown, no flush: a crash
    engine.wait()

    port = free_port()
    engine = start_engine(dynoxide_command(port, data), port, tmp_path / "engine.log")
    try:
        client = make_boto_client(f"http://127.0.0.1:{port}")
        item = client.get_item(TableName="crash-test", Key={"PK": {"S": "kept"}}, ConsistentRead=True)
        assert item["Item"]["n"] == {"N": "1"}
    finally:
        stop_engine(engine)


def start_stack(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """`stack.sh start` on free ports, in its own STACK_DIR, without .env."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DYNAMODB_", "MOTO_"))}
    environ.update(
        LOAD_DOTENV="0",
        STACK_DIR=str(tmp_path / "stack"),
        TABLE_NAME="stack-test",
        NO_SNAPSHOT="1",
        DYNAMODB_PORT=str(free_port()),
        SES_PORT=str(free_port()),
        STACK_WAIT_SECONDS="20",
    )
    environ.update(env)
    return subprocess.run(["bash", str(STACK_SH), "start"], capture_output=True, text=True, env=environ, timeout=120)


def stop_stack(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DYNAMODB_", "MOTO_"))}
    environ.update(LOAD_DOTENV="0", STACK_DIR=str(tmp_path / "stack"), NO_SNAPSHOT="1")
    subprocess.run(["bash", str(STACK_SH), "stop"], capture_output=True, env=environ, timeout=60)


def test_an_unreadable_data_file_is_moved_aside_and_the_start_stops(tmp_path):
    data = tmp_path / "dynamodb.sqlite"
    garbage = b"this is not a database\n" * 200
    data.write_bytes(garbage)
    try:
        started = start_stack(tmp_path, DYNAMODB_DATA_FILE=str(data))
    finally:
        stop_stack(tmp_path)
    assert started.returncode != 0, started.stderr
    assert "unreadable" in started.stderr, started.stderr
    assert "nothing was deleted" in started.stderr, started.stderr
    aside = list(tmp_path.glob("dynamodb.sqlite.unreadable-*"))
    assert len(aside) == 1, started.stderr
    assert aside[0].read_bytes() == garbage, "the damaged file must be kept as it was"
    assert str(aside[0]) in started.stderr, "the message names where the file went"
    assert not data.exists()


def test_a_taken_port_stops_the_start_and_names_the_variable(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        try:
            started = start_stack(tmp_path, DYNAMODB_PORT=str(port), DYNAMODB_DATA_FILE=":memory:")
        finally:
            stop_stack(tmp_path)
    assert started.returncode != 0
    assert f"port {port}" in started.stderr and "DYNAMODB_PORT" in started.stderr, started.stderr


def test_the_dev_table_is_kept_in_the_data_file_across_restarts(tmp_path):
    data = tmp_path / "dynamodb.sqlite"
    first = start_stack(tmp_path, DYNAMODB_DATA_FILE=str(data))
    try:
        assert first.returncode == 0, first.stderr
        assert "created table stack-test" in first.stdout + first.stderr
    finally:
        stop_stack(tmp_path)
    second = start_stack(tmp_path, DYNAMODB_DATA_FILE=str(data))
    try:
        assert second.returncode == 0, second.stderr
        assert "exists" in second.stdout + second.stderr, second.stdout + second.stderr
    finally:
        stop_stack(tmp_path)
