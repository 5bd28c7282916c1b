#!/usr/bin/env bash
# `make dev`: build the SPA and the local gateway, start the emulators, run the
# gateway in the foreground. Ctrl-C stops the gateway, snapshots the table into
# .local/snapshot.jsonl.gz and stops the emulators.
#
# Settings come from the environment, then .env at the repo root (copy
# .env.example), then the defaults below.
set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
load_env_file "$ROOT/.env"

export DYNAMODB_ENGINE="${DYNAMODB_ENGINE:-dynoxide}"
export DYNAMODB_PORT="${DYNAMODB_PORT:-${MOTO_PORT:-4566}}" # MOTO_PORT: the old name, still read
unset MOTO_PORT
export SES_PORT="${SES_PORT:-8005}"
export TABLE_NAME="${TABLE_NAME:-intentional-social-local}"
export STACK_DIR="${STACK_DIR:-$ROOT/.local}"
export LOAD_DOTENV=0 # already loaded; stack.sh sees the same values
GATEWAY_PORT="${GATEWAY_PORT:-3000}"
stack() { bash "$ROOT/infra/local/stack.sh" "$@"; }
GATEWAY_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/local-gateway"
case "$GATEWAY_BIN" in /*) ;; *) GATEWAY_BIN="$ROOT/$GATEWAY_BIN" ;; esac

if port_open "$GATEWAY_PORT"; then
  who="$(who_listens "$GATEWAY_PORT")"
  die "port $GATEWAY_PORT, needed by the gateway, is already in use${who:+ by $who}. Stop that process, or use another port: GATEWAY_PORT=<free port> make dev (or set it in .env)."
fi

# Dev-only signing secret, generated once and kept across runs (in AWS the
# functions read APP_SECRET_ARN from Secrets Manager instead).
if [[ -z "${APP_SECRET:-}" ]]; then
  secret_file="$STACK_DIR/app-secret"
  if [[ ! -s "$secret_file" ]]; then
    mkdir -p "$STACK_DIR"
    (umask 077 && random_secret >"$secret_file")
    say "generated a dev APP_SECRET in $secret_file"
  fi
  APP_SECRET="$(<"$secret_file")"
fi

if [[ -f frontend/package.json ]]; then
  say "==> building the frontend (npm run build)"
  (cd frontend && npm run build)
else
  warn "frontend/package.json not found: no SPA to build, the gateway serves only the API"
fi

say "==> building the gateway, the demo seeder and the local DynamoDB (cargo build)"
if ! cargo build -p local-gateway -p seed -p local-dynamodb; then
  command -v cc >/dev/null 2>&1 || die "no C compiler (cc): Dynoxide, the local DynamoDB, compiles SQLite from source. Install one: apt-get install -y gcc"
  die "the build failed (see cargo's message above)"
fi

gateway_pid=""
stack_started=0
cleaned=0
cleanup() {
  local rc=$?
  [[ "$cleaned" == 1 ]] && return
  cleaned=1
  # A second Ctrl-C must not cut the snapshot short, and a closed terminal or
  # pipe (`make dev | tee`) must not kill the cleanup: its output goes to a log.
  trap '' INT TERM PIPE
  set +e # a failed write to a closed terminal must not end the cleanup either
  local stop_log="$STACK_DIR/logs/stop.log"
  mkdir -p "$STACK_DIR/logs"
  say ""
  if [[ -n "$gateway_pid" ]] && kill -0 "$gateway_pid" 2>/dev/null; then
    say "stopping the gateway (pid $gateway_pid)"
    kill -TERM "$gateway_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$gateway_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
  fi
  if [[ "$stack_started" == 1 ]]; then
    if [[ "${NO_SNAPSHOT:-0}" == 1 ]]; then
      say "stopping the emulators (NO_SNAPSHOT=1: the table is not saved)"
    else
      say "saving the table to $STACK_DIR/snapshot.jsonl.gz and stopping the emulators"
    fi
    if stack stop >"$stop_log" 2>&1; then
      local saved=""
      if [[ "${NO_SNAPSHOT:-0}" != 1 ]]; then
        saved="$(sed -n 's/^ *"items": *\([0-9]*\).*/saved \1 items;/p' "$STACK_DIR/snapshot.jsonl.gz.manifest.json" 2>/dev/null)"
      fi
      say "${saved:+$saved }emulators stopped (details: $stop_log)"
    else
      say "stopping the local stack failed; see $stop_log"
      rc=1
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stack_started=1
stack start

# An empty store (first run, nothing restored) gets the demo network once the
# gateway answers; SEED=0 turns that off.
store_empty=0
if [[ "${SEED:-1}" != 0 ]] && AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \
  "$ROOT/.venv/bin/python" - "$DYNAMODB_PORT" "$TABLE_NAME" "$LOCAL_REGION" <<'PY'
import sys, boto3
port, table, region = sys.argv[1:]
client = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name=region)
sys.exit(0 if not client.scan(TableName=table, Limit=1).get("Items") else 1)
PY
then
  store_empty=1
fi

if [[ "$DYNAMODB_ENGINE" == moto ]]; then
  engine_note="moto, in memory"
  keep_note="Ctrl-C stops everything and keeps the data in $STACK_DIR/snapshot.jsonl.gz"
else
  engine_note="Dynoxide, data in ${DYNAMODB_DATA_FILE:-$STACK_DIR/dynamodb.sqlite}"
  [[ "${DYNAMODB_DATA_FILE:-}" == :memory: ]] && engine_note="Dynoxide, in memory"
  keep_note="Every write is on disk at once; Ctrl-C also saves $STACK_DIR/snapshot.jsonl.gz"
fi
cat >&2 <<EOF

  app      http://127.0.0.1:$GATEWAY_PORT/
  API      http://127.0.0.1:$GATEWAY_PORT/api/health
  mailbox  http://127.0.0.1:$SES_PORT/      (one-time codes land here)
  DynamoDB http://127.0.0.1:$DYNAMODB_PORT      ($engine_note, table $TABLE_NAME)
  logs     $STACK_DIR/logs/

  $keep_note

EOF

# In the background + wait, so Ctrl-C reaches this script's trap at once.
local_aws_env "$DYNAMODB_PORT" "$SES_PORT"
"${LOCAL_AWS[@]}" \
  TABLE_NAME="$TABLE_NAME" \
  APP_SECRET="$APP_SECRET" \
  SENDER_EMAIL="${SENDER_EMAIL:-no-reply@intentional.local}" \
  SITE_URL="${SITE_URL:-http://127.0.0.1:$GATEWAY_PORT}" \
  GATEWAY_PORT="$GATEWAY_PORT" \
  TEMPLATE="$ROOT/template.yaml" \
  SPA_DIR="$ROOT/frontend/dist" \
  LOG_FORMAT="${LOG_FORMAT:-pretty}" \
  RUST_LOG="${RUST_LOG:-info}" \
  "$GATEWAY_BIN" &
gateway_pid=$!
if [[ "$store_empty" == 1 ]]; then
  (
    for _ in $(seq 1 120); do
      curl -fsS "http://127.0.0.1:$GATEWAY_PORT/api/health" >/dev/null 2>&1 && break
      sleep 0.5
    done
    say "==> the store is empty: creating the demo network (make seed; log in $STACK_DIR/logs/seed.log)"
    if GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT" SES_STORE_URL="http://127.0.0.1:$SES_PORT" \
      bash "$ROOT/infra/local/seed.sh" >"$STACK_DIR/logs/seed.log" 2>&1; then
      tail -n 6 "$STACK_DIR/logs/seed.log" >&2
    else
      warn "the demo network could not be created; see $STACK_DIR/logs/seed.log"
    fi
  ) &
fi
wait "$gateway_pid"
