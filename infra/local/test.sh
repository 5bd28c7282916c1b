#!/usr/bin/env bash
# `make test`: every check of the project, in order, on a throwaway local stack
# (its own ports, table and .local/test dir; no snapshot; never reads .env).
# All steps run even when one fails (FAIL_FAST=1 stops at the first failure);
# the summary at the end names each failed step.
set -uo pipefail

# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT" || exit 1

export LOAD_DOTENV=0
export DYNAMODB_ENGINE="${DYNAMODB_ENGINE:-dynoxide}"
export DYNAMODB_PORT="${TEST_DYNAMODB_PORT:-4577}"
export SES_PORT="${TEST_SES_PORT:-8017}"
export TABLE_NAME=intentional-social-test
export STACK_DIR="$ROOT/.local/test"
export DYNAMODB_DATA_FILE=:memory: # a throwaway stack
export NO_SNAPSHOT=1
export TEMPLATE="${TEST_TEMPLATE:-$ROOT/template.yaml}"
unset MOTO_PORT
stack() { bash "$ROOT/infra/local/stack.sh" "$@"; }
VENV_BIN="$ROOT/.venv/bin"
# The cross-check run of the integration tests on the other engine: its own
# stack beside the first (moto when the first is Dynoxide, and back).
if [[ "$DYNAMODB_ENGINE" == moto ]]; then CROSS_ENGINE=dynoxide; else CROSS_ENGINE=moto; fi
CROSS_PORT="${TEST_CROSS_DYNAMODB_PORT:-4578}"
CROSS_SES_PORT="${TEST_CROSS_SES_PORT:-8018}"
cross_stack() {
  DYNAMODB_ENGINE="$CROSS_ENGINE" DYNAMODB_PORT="$CROSS_PORT" SES_PORT="$CROSS_SES_PORT" \
    STACK_DIR="$ROOT/.local/test-$CROSS_ENGINE" bash "$ROOT/infra/local/stack.sh" "$@"
}

# Clippy is the compiler of the workspace's own crates for every cargo call
# below (RUSTC_WORKSPACE_WRAPPER, which is what `cargo clippy` sets): the
# build that the tests run is the one clippy checked, so the dependencies are
# compiled once instead of once for `cargo clippy` and again for `cargo
# test`. CLIPPY_ARGS is how cargo-clippy hands `-- -D warnings` to the driver.
CLIPPY_DRIVER="$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver || true)"
if [[ -z "$CLIPPY_DRIVER" ]]; then
  die "clippy-driver not found: rustup component add clippy"
fi
export RUSTC_WORKSPACE_WRAPPER="$CLIPPY_DRIVER"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

RESULTS=()
FAILED=()

stop_stack() {
  stack stop >/dev/null 2>&1 || true
  cross_stack stop >/dev/null 2>&1 || true
}
trap stop_stack EXIT

# Each step's output is kept too, so that the summary can end with why a
# step failed: CI shows only the end of a run's output.
STEP_LOG_DIR="$ROOT/.local/test-steps"
rm -rf "$STEP_LOG_DIR"
mkdir -p "$STEP_LOG_DIR"

# step NAME COMMAND...: run, time and record one step (in a subshell: a
# step's command changes nothing of this shell's).
step() {
  local name="$1" start=$SECONDS rc
  shift
  printf '\n==> [%s] %s\n' "$name" "$*"
  "$@" 2>&1 | tee "$STEP_LOG_DIR/$name.log"
  rc=${PIPESTATUS[0]}
  if [[ $rc -eq 0 ]]; then
    RESULTS+=("PASS  $name ($((SECONDS - start))s)")
  else
    RESULTS+=("FAIL  $name (exit $rc, $((SECONDS - start))s)")
    FAILED+=("$name")
    printf '==> FAILED step: %s (exit %d)\n' "$name" "$rc" >&2
    if [[ "${FAIL_FAST:-0}" == 1 ]]; then summary; fi
  fi
  return 0
}

# background NAME FUNCTION: FUNCTION's steps in the background, beside the
# steps that follow, until join_background prints their output and records
# their results in order. Only for work that leaves a core idle beside other
# such work (the fuzzer beside the browser tests; the Python and frontend
# checks beside the moto run, whose server is one Python thread): on 2 cores
# overlapping anything heavier only queues (the arm64 build beside them made
# a fresh run slower: 949 s against 880 s). Never beside Lighthouse, whose
# performance score is timed.
BG_DIR="$ROOT/.local/test-background"
BG_JOBS=()
background() {
  local name="$1"
  shift
  rm -rf "${BG_DIR:?}/$name"
  mkdir -p "$BG_DIR/$name"
  printf '\n==> [%s] in the background: %s (output below, when it is joined)\n' "$name" "$*"
  (
    trap - EXIT
    RESULTS=()
    FAILED=()
    FAIL_FAST=0
    "$@" >"$BG_DIR/$name/log" 2>&1
    printf '%s\n' "${RESULTS[@]}" >"$BG_DIR/$name/results"
    printf '%s\n' "${FAILED[@]}" >"$BG_DIR/$name/failed"
  ) &
  BG_JOBS+=("$name:$!")
}
join_background() {
  local job name line
  for job in "${BG_JOBS[@]}"; do
    name="${job%%:*}"
    wait "${job##*:}" || true
    printf '\n==> [%s] output\n' "$name"
    cat "$BG_DIR/$name/log"
    while IFS= read -r line; do [[ -z "$line" ]] || RESULTS+=("$line"); done <"$BG_DIR/$name/results"
    while IFS= read -r line; do [[ -z "$line" ]] || FAILED+=("$line"); done <"$BG_DIR/$name/failed"
  done
  BG_JOBS=()
  if ((${#FAILED[@]})) && [[ "${FAIL_FAST:-0}" == 1 ]]; then summary; fi
}

fail_step() { # fail_step NAME REASON: a step that cannot run counts as failed
  RESULTS+=("FAIL  $1 ($2)")
  FAILED+=("$1")
  printf '\n==> FAILED step: %s: %s\n' "$1" "$2" >&2
  if [[ "${FAIL_FAST:-0}" == 1 ]]; then summary; fi
}

summary() {
  stop_stack
  local name
  for name in "${FAILED[@]}"; do
    [[ -s "$STEP_LOG_DIR/$name.log" ]] || continue
    printf '\n==> why %s failed: the end of its output (all of it: %s)\n' "$name" "$STEP_LOG_DIR/$name.log"
    tail -n 25 "$STEP_LOG_DIR/$name.log"
  done
  printf '\n==> make test summary\n'
  printf '  %s\n' "${RESULTS[@]}"
  if ((${#FAILED[@]})); then
    printf 'make test: FAILED step(s): %s\n' "${FAILED[*]}" >&2
    exit 1
  fi
  local passed skipped
  passed="$(printf '%s\n' "${RESULTS[@]}" | grep -c '^PASS')"
  skipped="$(printf '%s\n' "${RESULTS[@]}" | grep -c '^SKIP')"
  printf 'make test: all %d steps passed%s\n' "$passed" "$( ((skipped)) && echo " ($skipped skipped)")"
  exit 0
}

# Environment of the Rust tests: the same as `make dev`, pointed at a test stack.
APP_ENV=(
  TABLE_NAME="$TABLE_NAME"
  APP_SECRET=test-secret-not-for-production-0123456789abcdef0123456789abcdef
  SENDER_EMAIL=no-reply@intentional.local
  TEMPLATE="$TEMPLATE"
  LOG_FORMAT=pretty
  # The engines on a busy 2-core machine can take more than AWS's 2 s.
  AWS_ATTEMPT_TIMEOUT_MS=10000
)
test_env() { # test_env CMD...: on the main test stack
  local_aws_env "$DYNAMODB_PORT" "$SES_PORT"
  "${LOCAL_AWS[@]}" "${APP_ENV[@]}" DYNAMODB_ENGINE="$DYNAMODB_ENGINE" "$@"
}
cross_env() { # cross_env CMD...: on the cross-check stack
  local_aws_env "$CROSS_PORT" "$CROSS_SES_PORT"
  # moto serves SNS (and SQS) beside DynamoDB: the moderation alert's test
  # reads a report's alert back there.
  local sns=()
  [[ "$CROSS_ENGINE" == moto ]] && sns=(AWS_ENDPOINT_URL_SNS="http://127.0.0.1:$CROSS_PORT")
  "${LOCAL_AWS[@]}" "${APP_ENV[@]}" "${sns[@]}" DYNAMODB_ENGINE="$CROSS_ENGINE" "$@"
}

sam_env() {
  env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN \
    AWS_DEFAULT_REGION="$LOCAL_REGION" AWS_REGION="$LOCAL_REGION" \
    AWS_ACCESS_KEY_ID=dummy AWS_SECRET_ACCESS_KEY=dummy \
    SAM_CLI_TELEMETRY=0 SAM_CLI_CONTEXT=ci "$@"
}

# A real local gateway on the test stack (the e2e, lighthouse and schemathesis steps).
# Limits per IP and per client are raised: every caller comes from
# 127.0.0.1 here, unlike in the Rust tests. Sets GATEWAY_PID.
start_gateway() { # start_gateway PORT LOG [VAR=value ...]
  local port="$1" log="$2"
  shift 2
  # Built by the cargo-clippy step, with the rest of the workspace.
  [[ -x target/debug/local-gateway ]] || { echo "error: target/debug/local-gateway was not built (see cargo-clippy)" >&2; return 1; }
  # Something already answering there (a gateway left by an interrupted run,
  # say) would be tested instead of this build: any answer at all, even a
  # 404 from a gateway whose SPA directory is gone, means the port is taken.
  if curl -sS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
    echo "error: port $port is already in use; stop what listens there, or set TEST_GATEWAY_PORT" >&2
    return 1
  fi
  # `exec` in a subshell: $! is then the gateway itself, so stop_gateway
  # stops it (backgrounding test_env would leave the gateway as its child).
  local_aws_env "$DYNAMODB_PORT" "$SES_PORT"
  (exec "${LOCAL_AWS[@]}" "${APP_ENV[@]}" \
    GATEWAY_PORT="$port" SITE_URL="http://127.0.0.1:$port" \
    RATE_LIMIT_REGISTER_IP=1000/3600 RATE_LIMIT_OTP_IP=1000/3600 RATE_LIMIT_LOGIN_IP=1000/60 RATE_LIMIT_WRONG_CODES_IP=1000/3600 RATE_LIMIT_CLIENT=100000/60 \
    "$@" target/debug/local-gateway) >"$log" 2>&1 &
  GATEWAY_PID=$!
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
    kill -0 "$GATEWAY_PID" 2>/dev/null || break
    sleep 0.5
  done
  if ! kill -0 "$GATEWAY_PID" 2>/dev/null; then
    echo "error: the gateway did not start; its log ($log):" >&2
    cat "$log" >&2
    return 1
  fi
}
stop_gateway() {
  kill "$GATEWAY_PID" 2>/dev/null
  wait "$GATEWAY_PID" 2>/dev/null
  return 0
}

# The browser journeys (frontend/e2e) against a real local gateway serving the
# built SPA on the test stack.
# The SPA's production build, quiet unless it fails (tsc reports on stdout).
build_spa() {
  local out
  if ! out="$(npm --prefix frontend run build 2>&1)"; then
    printf '%s\n' "$out" >&2
    echo "error: the SPA did not build (npm --prefix frontend run build)" >&2
    return 1
  fi
}

run_e2e() {
  if [[ ! -f frontend/package.json ]]; then echo "no frontend"; return 0; fi
  if ! command -v "${CHROMIUM_PATH:-/usr/bin/chromium}" >/dev/null 2>&1; then
    echo "error: chromium not found: install Debian's package (apt-get install -y chromium); .ci/run does" >&2
    return 1
  fi
  build_spa || return 1
  local port="${TEST_GATEWAY_PORT:-3017}" log="$STACK_DIR/logs/gateway.log" rc
  start_gateway "$port" "$log" SPA_DIR="$ROOT/frontend/dist" || return 1
  CI=true E2E_BASE_URL="http://127.0.0.1:$port" SES_URL="http://127.0.0.1:$SES_PORT" \
    npm --prefix frontend run e2e
  rc=$?
  stop_gateway
  [[ $rc -eq 0 ]] || echo "gateway log: $log" >&2
  return $rc
}

# The schema fuzzer against a real local gateway (infra/local/schemathesis.sh).
run_schemathesis() {
  # Its own gateway port: it runs beside the e2e step's gateway.
  local port="${TEST_SCHEMATHESIS_PORT:-3019}" log="$STACK_DIR/logs/gateway-schemathesis.log" rc
  start_gateway "$port" "$log" LOG_FORMAT=json || return 1
  GATEWAY_URL="http://127.0.0.1:$port" SES_STORE_URL="http://127.0.0.1:$SES_PORT" \
    GATEWAY_LOG="$log" REPORT_DIR="$STACK_DIR/schemathesis" \
    bash "$ROOT/infra/local/schemathesis.sh"
  rc=$?
  stop_gateway
  [[ $rc -eq 0 ]] || echo "gateway log: $log; reports: $STACK_DIR/schemathesis" >&2
  return $rc
}

# Lighthouse (infra/local/lighthouse.sh) on the built SPA, served by a real
# local gateway on the test stack as CloudFront serves it (compressed).
run_lighthouse() {
  if [[ ! -f frontend/package.json ]]; then echo "no frontend"; return 0; fi
  # The build of this tree, even when the e2e step's build failed.
  build_spa || return 1
  local port="${TEST_GATEWAY_PORT:-3017}" log="$STACK_DIR/logs/gateway-lighthouse.log" rc
  start_gateway "$port" "$log" SPA_DIR="$ROOT/frontend/dist" || return 1
  GATEWAY_URL="http://127.0.0.1:$port" SES_STORE_URL="http://127.0.0.1:$SES_PORT" \
    REPORT_DIR="$STACK_DIR/lighthouse" bash "$ROOT/infra/local/lighthouse.sh"
  rc=$?
  stop_gateway
  [[ $rc -eq 0 ]] || echo "gateway log: $log; reports: $STACK_DIR/lighthouse" >&2
  return $rc
}

# The browser tests need Debian's chromium (never a downloaded browser): say
# so now rather than after the Rust steps.
if [[ -f frontend/package.json ]] && ! command -v "${CHROMIUM_PATH:-/usr/bin/chromium}" >/dev/null 2>&1; then
  die "chromium not found (the browser tests drive Debian's build): apt-get install -y chromium"
fi

# ---------------------------------------------------------------- Rust
step cargo-fmt cargo fmt --all -- --check
# Every target of the workspace (the binaries the stack and the browser tests
# run, and every test), compiled by clippy with -D warnings (see
# RUSTC_WORKSPACE_WRAPPER above): the lint step and the tests' build in one.
step cargo-clippy cargo build --workspace --all-targets --quiet

printf '\n==> [test-stack] %s on :%s, SES on :%s, table %s\n' "$DYNAMODB_ENGINE" "$DYNAMODB_PORT" "$SES_PORT" "$TABLE_NAME"
stop_stack # leftovers of an interrupted run
rm -rf "$STACK_DIR" "$ROOT/.local/test-$CROSS_ENGINE"
if stack start; then
  step cargo-test test_env cargo test --workspace --no-fail-fast
  # Lighthouse first, alone: its performance score is timed.
  step lighthouse run_lighthouse
  # The fuzzer (one Python thread and its gateway) beside the browser tests
  # (one Playwright worker, Chromium and their gateway): each leaves most of
  # a core idle, and they share nothing but the stack's table.
  background schemathesis step schemathesis run_schemathesis
  step e2e run_e2e
  join_background
  stack stop >/dev/null 2>&1 || true
else
  fail_step cargo-test "the test stack did not start (see above; logs in $STACK_DIR/logs/)"
fi
# ---------------------------------------------------------------- Python / template
python_checks() {
  local pytest_dirs=()
  [[ -d tests-template ]] && pytest_dirs+=(tests-template)
  pytest_dirs+=(infra/local/tests)
  step pytest "$VENV_BIN/pytest" -q "${pytest_dirs[@]}"
  if [[ -f "$TEMPLATE" ]]; then
    step cfn-lint "$VENV_BIN/cfn-lint" "$TEMPLATE"
    step sam-validate sam_env "$VENV_BIN/sam" validate --lint --template "$TEMPLATE"
    step checkov bash infra/local/checkov.sh
  else
    fail_step cfn-lint "template.yaml not found"
    fail_step sam-validate "template.yaml not found"
    fail_step checkov "template.yaml not found"
  fi
}
# ---------------------------------------------------------------- frontend
has_script() { node -e 'process.exit(require("./frontend/package.json").scripts?.[process.argv[1]] ? 0 : 1)' "$1"; }
frontend_checks() {
  if [[ -f frontend/package.json ]]; then
    for script in lint typecheck test; do
      if has_script "$script"; then
        # CI=true: test runners (vitest, ...) run once instead of watching
        step "frontend-$script" env CI=true npm --prefix frontend run "$script"
      else
        fail_step "frontend-$script" "frontend/package.json has no \"$script\" script"
      fi
    done
  else
    printf '\n==> frontend/package.json not found: frontend checks skipped\n'
    RESULTS+=("SKIP  frontend (no frontend/package.json)")
  fi
}

# Beside the cross-check run, whose server is one Python thread: the Python
# checks (one thread each), then the frontend's (lint, typecheck, vitest).
python_and_frontend_checks() {
  python_checks
  frontend_checks
}
background python-and-frontend python_and_frontend_checks

# The integration tests again on the other engine, so that no behaviour of
# ours rests on one emulator's quirks (docs/architecture.md, "Two engines").
printf '\n==> [cross-check stack] %s on :%s, SES on :%s\n' "$CROSS_ENGINE" "$CROSS_PORT" "$CROSS_SES_PORT"
if cross_stack start; then
  # --workspace: the same feature resolution as the build above (-p would
  # compile the dependencies again); --test '*': the integration tests only.
  step "cargo-test-$CROSS_ENGINE" cross_env cargo test --workspace --test '*' --no-fail-fast
  cross_stack stop >/dev/null 2>&1 || true
else
  fail_step "cargo-test-$CROSS_ENGINE" "the $CROSS_ENGINE stack did not start (logs in $ROOT/.local/test-$CROSS_ENGINE/logs/)"
fi
join_background

# ---------------------------------------------------------------- arm64 build
if [[ -f "$TEMPLATE" ]]; then
  # The real Lambda build (arm64, as deployed); cached after the first run.
  # Plain rustc there: the release build is not a lint run.
  step sam-build sam_env env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS bash infra/local/lambda-build.sh
fi

summary
