"""Fixtures: a real local DynamoDB on a free port: Dynoxide as make test builds
it, or moto_server from the same venv with DYNAMODB_ENGINE=moto."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest

HERE = Path(__file__).resolve().parent
LOCAL = HERE.parent
ROOT = LOCAL.parent.parent
TABLE_PY = LOCAL / "table.py"
FIXTURE_TEMPLATE = HERE / "fixtures" / "template.yaml"

sys.path.insert(0, str(LOCAL))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _moto_command(port: int) -> list[str]:
    exe = Path(sys.executable).parent / "moto_server"
    if exe.exists():
        return [str(exe), "-H", "127.0.0.1", "-p", str(port)]
    found = shutil.which("moto_server")
    if found:
        return [found, "-H", "127.0.0.1", "-p", str(port)]
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


def local_dynamodb_bin() -> Path:
    """Dynoxide, as `make test` builds it (infra/dynoxide)."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not target.is_absolute():
        target = ROOT / target
    exe = target / "debug" / "local-dynamodb"
    if not exe.exists():
        pytest.fail(f"{exe} not built: cargo build -p local-dynamodb (make test builds it first)")
    return exe


def dynoxide_command(port: int, db_path: Path | None = None) -> list[str]:
    cmd = [str(local_dynamodb_bin()), "--host", "127.0.0.1", "--port", str(port)]
    return cmd + (["--db-path", str(db_path)] if db_path else [])


def start_engine(cmd: list[str], port: int, log_path: Path, probe: str = "/") -> subprocess.Popen:
    """Starts a DynamoDB engine and waits until it answers."""
    with log_path.open("ab") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}{probe}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"{cmd[0]} did not start on {url}:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.1)


def stop_engine(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def dynamodb_endpoint(tmp_path_factory):
    """The engine make test uses (DYNAMODB_ENGINE: dynoxide by default, or moto)."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("engine") / "engine.log"
    if os.environ.get("DYNAMODB_ENGINE", "dynoxide") == "moto":
        proc = start_engine(_moto_command(port), port, log_path, "/moto-api/")
    else:
        proc = start_engine(dynoxide_command(port), port, log_path)
    yield f"http://127.0.0.1:{port}"
    stop_engine(proc)


def make_boto_client(endpoint: str):
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


@pytest.fixture
def client(dynamodb_endpoint):
    return make_boto_client(dynamodb_endpoint)


@pytest.fixture
def table_name():
    return f"t-{uuid.uuid4().hex[:12]}"


class Tool:
    """Runs table.py as the CLI it is, against the test engine."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        cmd = [sys.executable, str(TABLE_PY), args[0], "--endpoint", self.endpoint, "--region", "us-east-1", *args[1:]]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"{' '.join(cmd)} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
            )
        return proc


@pytest.fixture
def tool(dynamodb_endpoint):
    return Tool(dynamodb_endpoint)
