#!/usr/bin/env bash
# Local emulators: moto_server (DynamoDB) and aws-ses-v2-local (SES v2).
#
#   infra/local/stack.sh start     start both, wait until they answer, create the
#                                  table if missing (restoring the dev snapshot into
#                                  a new table)
#   infra/local/stack.sh stop      snapshot the table, then stop both
#   infra/local/stack.sh restart | status
#   infra/local/stack.sh backup    [FILE=...] [TABLE=...] [ENDPOINT_GIVEN=1 ENDPOINT=...]
#   infra/local/stack.sh restore   FILE=... (same variables; YES=1 for real AWS)
#
# Environment (also read from .env at the repo root; the environment wins):
#   MOTO_PORT (4566)  SES_PORT (8005)  TABLE_NAME (intentional-social-local)
#   TEMPLATE (template.yaml)     template whose AWS::DynamoDB::Table is created
#   STACK_DIR (.local)           pid files, logs/, snapshot
#   SNAPSHOT ($STACK_DIR/snapshot.jsonl.gz)
#   NO_SNAPSHOT=1                no restore on start, no snapshot on stop
#   STACK_WAIT_SECONDS (30)      how long start waits for the emulators
#   LOAD_DOTENV=0                ignore .env (test.sh does this)
set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ "${LOAD_DOTENV:-1}" != 0 ]]; then
  load_env_file "$ROOT/.env"
fi

MOTO_PORT="${MOTO_PORT:-4566}"
SES_PORT="${SES_PORT:-8005}"
TABLE_NAME="${TABLE_NAME:-intentional-social-local}"
TEMPLATE="${TEMPLATE:-template.yaml}"
STACK_DIR="${STACK_DIR:-$ROOT/.local}"
SNAPSHOT="${SNAPSHOT:-$STACK_DIR/snapshot.jsonl.gz}"
NO_SNAPSHOT="${NO_SNAPSHOT:-0}"
STACK_WAIT_SECONDS="${STACK_WAIT_SECONDS:-30}"

case "$TEMPLATE" in /*) ;; *) TEMPLATE="$ROOT/$TEMPLATE" ;; esac
case "$STACK_DIR" in /*) ;; *) STACK_DIR="$ROOT/$STACK_DIR" ;; esac

PY="$ROOT/.venv/bin/python"
TABLE_PY="$ROOT/infra/local/table.py"
MOTO_BIN="$ROOT/.venv/bin/moto_server"
SES_CLI="$ROOT/infra/local/node_modules/aws-ses-v2-local/dist/cli.js"
PID_DIR="$STACK_DIR/pids"
LOG_DIR="$STACK_DIR/logs"
RESTORE_PENDING="$STACK_DIR/restore-pending"
MOTO_URL="http://127.0.0.1:$MOTO_PORT"
SES_URL="http://127.0.0.1:$SES_PORT"

# Per service: marker in its command line, port variable, readiness URL.
svc_marker() { case "$1" in moto) echo moto_server ;; ses) echo aws-ses-v2-local ;; esac; }
svc_port() { case "$1" in moto) echo "$MOTO_PORT" ;; ses) echo "$SES_PORT" ;; esac; }
svc_port_var() { case "$1" in moto) echo MOTO_PORT ;; ses) echo SES_PORT ;; esac; }
svc_probe_url() { case "$1" in moto) echo "$MOTO_URL/moto-api/" ;; ses) echo "$SES_URL/health-check" ;; esac; }
svc_title() { case "$1" in moto) echo "moto_server (DynamoDB emulator)" ;; ses) echo "aws-ses-v2-local (SES v2 emulator)" ;; esac; }

pid_of() {
  local f="$PID_DIR/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid="$(<"$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  # Alive, not a zombie, and still the program we started (pids get reused).
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$(svc_marker "$1")" || return 1
  echo "$pid"
}

answers() { curl -fsS -m 2 -o /dev/null "$(svc_probe_url "$1")" 2>/dev/null; }

check_installed() {
  [[ -x "$MOTO_BIN" && -x "$PY" ]] || die "$MOTO_BIN not found: run 'make .venv' first"
  [[ -f "$SES_CLI" ]] || die "$SES_CLI not found: run 'make node-deps' first"
  command -v node >/dev/null || die "node not found: run 'make prereqs'"
  command -v curl >/dev/null || die "curl not found: run 'make prereqs'"
}

STARTED=()

abort_start() {
  say "error: $*"
  local svc
  for svc in "${STARTED[@]}"; do stop_service "$svc" >/dev/null 2>&1 || true; done
  exit 1
}

launch() {
  local svc="$1" port log
  port="$(svc_port "$svc")"
  log="$LOG_DIR/$svc.log"
  if pid_of "$svc" >/dev/null; then
    say "$(svc_title "$svc") already running (pid $(pid_of "$svc"), port $port)"
    return 0
  fi
  if port_open "$port"; then
    local who
    who="$(who_listens "$port")"
    abort_start "port $port, needed by $(svc_title "$svc"), is already in use${who:+ by $who}." \
      "Stop that process, or use another port: $(svc_port_var "$svc")=<free port> make dev (or set it in .env)."
  fi
  printf '\n--- %s start %s (port %s)\n' "$svc" "$(date -u +%FT%TZ)" "$port" >>"$log"
  # setsid: own session, so the Ctrl-C that stops `make dev` does not reach the
  # emulators before dev.sh has taken its snapshot.
  case "$svc" in
    moto) setsid "$PY" "$ROOT/infra/local/moto_server.py" -H 127.0.0.1 -p "$port" >>"$log" 2>&1 </dev/null & ;;
    ses) setsid node "$SES_CLI" --host 127.0.0.1 --port "$port" >>"$log" 2>&1 </dev/null & ;;
  esac
  echo "$!" >"$PID_DIR/$svc.pid"
  STARTED+=("$svc")
}

wait_ready() {
  local svc="$1" deadline=$((SECONDS + STACK_WAIT_SECONDS)) log="$LOG_DIR/$1.log"
  until answers "$svc"; do
    if ! pid_of "$svc" >/dev/null; then
      tail -n 20 "$log" >&2 || true
      abort_start "$(svc_title "$svc") exited during startup; full log: $log"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 20 "$log" >&2 || true
      abort_start "$(svc_title "$svc") did not answer at $(svc_probe_url "$svc") within ${STACK_WAIT_SECONDS}s; full log: $log"
    fi
    sleep 0.3
  done
}

ensure_table() {
  [[ -f "$TEMPLATE" ]] || abort_start "template $TEMPLATE not found: cannot create table $TABLE_NAME (set TEMPLATE=...)"
  local out
  if ! out="$("$PY" "$TABLE_PY" create --template "$TEMPLATE" --endpoint "$MOTO_URL" --region "$LOCAL_REGION" \
    --table "$TABLE_NAME" --if-missing)"; then
    abort_start "could not create table $TABLE_NAME from $TEMPLATE (see above)"
  fi
  if [[ "$out" == *status=created* && "$NO_SNAPSHOT" != 1 && -f "$SNAPSHOT" ]]; then
    say "restoring dev data from $SNAPSHOT"
    : >"$RESTORE_PENDING"
    if ! "$PY" "$TABLE_PY" restore --endpoint "$MOTO_URL" --region "$LOCAL_REGION" --table "$TABLE_NAME" \
      --in "$SNAPSHOT" --fresh >/dev/null; then
      # Leave RESTORE_PENDING: stop must not overwrite the good snapshot with a partial table.
      say "error: restoring $SNAPSHOT failed (see above). The emulators are running with a partial table;"
      say "       the snapshot will NOT be overwritten on stop. Start without it: NO_SNAPSHOT=1, or move the file away."
      exit 1
    fi
    rm -f "$RESTORE_PENDING"
  fi
}

# The emulators and the local table.py calls must not see the developer's AWS
# profile: moto_server itself uses botocore, and a profile it cannot find makes
# every request fail. (backup/restore keep it: they may target real AWS.)
local_env_only() { unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE; }

cmd_start() {
  local_env_only
  check_installed
  mkdir -p "$PID_DIR" "$LOG_DIR"
  launch moto
  launch ses
  wait_ready moto
  wait_ready ses
  ensure_table
  say "local stack up: DynamoDB $MOTO_URL (table $TABLE_NAME), SES $SES_URL (mailbox $SES_URL/), logs $LOG_DIR/"
}

stop_service() {
  local svc="$1" pid i
  if ! pid="$(pid_of "$svc")"; then
    rm -f "$PID_DIR/$svc.pid"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    pid_of "$svc" >/dev/null || break
    sleep 0.1
  done
  if pid_of "$svc" >/dev/null; then
    warn "$(svc_title "$svc") (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_DIR/$svc.pid"
  say "stopped $(svc_title "$svc") (pid $pid)"
}

snapshot() {
  [[ "$NO_SNAPSHOT" != 1 ]] || return 0
  pid_of moto >/dev/null && answers moto || return 0
  if [[ -f "$RESTORE_PENDING" ]]; then
    warn "the restore of $SNAPSHOT did not complete; keeping that snapshot and not saving the table"
    return 0
  fi
  mkdir -p "$(dirname "$SNAPSHOT")"
  # Keep the previous generation (hard links: the backup replaces the file atomically).
  if [[ -f "$SNAPSHOT" && -f "$SNAPSHOT.manifest.json" ]]; then
    local prev="${SNAPSHOT%.jsonl.gz}.prev.jsonl.gz"
    ln -f "$SNAPSHOT" "$prev" && ln -f "$SNAPSHOT.manifest.json" "$prev.manifest.json"
  fi
  if "$PY" "$TABLE_PY" backup --endpoint "$MOTO_URL" --region "$LOCAL_REGION" --table "$TABLE_NAME" \
    --out "$SNAPSHOT" --fresh >/dev/null; then
    return 0
  fi
  warn "snapshot of $TABLE_NAME failed (see above); the previous snapshot, if any, is unchanged"
  return 1
}

cmd_stop() {
  local rc=0
  local_env_only
  if [[ -x "$PY" ]]; then snapshot || rc=1; fi
  stop_service ses
  stop_service moto
  rm -f "$RESTORE_PENDING"
  return "$rc"
}

cmd_status() {
  local svc pid state
  for svc in moto ses; do
    if pid="$(pid_of "$svc")"; then
      if answers "$svc"; then state="running, answering"; else state="running, NOT answering"; fi
      printf '%-5s %-24s pid %-7s %s\n' "$svc" "$state" "$pid" "$(svc_probe_url "$svc")"
    else
      printf '%-5s %-24s %-11s %s\n' "$svc" stopped "" "$(svc_probe_url "$svc")"
    fi
  done
  printf 'logs  %s\n' "$LOG_DIR"
  [[ -f "$SNAPSHOT" ]] && printf 'snapshot %s\n' "$SNAPSHOT"
  return 0
}

# `make clean`: stop the dev and test stacks, then empty .local except the dev
# data (snapshots, app secret). Refuses while another stack (other STACK_DIR
# under .local) still runs, since its pid files would be lost.
cmd_clean() {
  local base="$ROOT/.local" f pid busy=()
  cmd_stop || true
  (LOAD_DOTENV=0 NO_SNAPSHOT=1 STACK_DIR="$base/test" bash "$0" stop >/dev/null 2>&1) || true
  [[ -d "$base" ]] || return 0
  while IFS= read -r f; do
    pid="$(<"$f")"
    if [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/cmdline" && "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]]; then
      busy+=("$f (pid $pid)")
    fi
  done < <(find "$base" -path '*/pids/*.pid' -type f 2>/dev/null)
  if ((${#busy[@]})); then
    say "error: emulators of another local stack are still running; stop them first"
    say "       (STACK_DIR=<its dir> MOTO_PORT=.. SES_PORT=.. infra/local/stack.sh stop):"
    printf '         %s\n' "${busy[@]}" >&2
    say "       nothing was removed"
    return 1
  fi
  find "$base" -mindepth 1 -maxdepth 1 ! -name 'snapshot*' ! -name app-secret -exec rm -rf {} +
  if compgen -G "$base/snapshot*" >/dev/null || [[ -f "$base/app-secret" ]]; then
    say "kept the dev data in $base (snapshot*, app-secret); 'make clean-all' removes it"
  fi
}

# Target of `make backup` / `make restore`: the dev stack unless ENDPOINT_GIVEN=1.
data_target() {
  DATA_ARGS=()
  if [[ "${ENDPOINT_GIVEN:-0}" == 1 ]]; then
    if [[ -n "${ENDPOINT:-}" ]]; then
      DATA_ARGS+=(--endpoint "$ENDPOINT")
      DATA_TABLE="${TABLE:-$TABLE_NAME}"
    else
      [[ -n "${TABLE:-}" ]] || die "ENDPOINT= (real AWS) needs TABLE=<table name>"
      DATA_TABLE="$TABLE"
    fi
  else
    DATA_ARGS+=(--endpoint "$MOTO_URL" --region "$LOCAL_REGION")
    DATA_TABLE="${TABLE:-$TABLE_NAME}"
  fi
  DATA_ARGS+=(--table "$DATA_TABLE")
}

cmd_backup() {
  [[ -x "$PY" ]] || die "run 'make .venv' first"
  data_target
  local file="${FILE:-$STACK_DIR/backups/$DATA_TABLE-$(date -u +%Y%m%dT%H%M%SZ).jsonl.gz}"
  "$PY" "$TABLE_PY" backup "${DATA_ARGS[@]}" --out "$file"
}

cmd_restore() {
  [[ -x "$PY" ]] || die "run 'make .venv' first"
  [[ -n "${FILE:-}" ]] || die "restore needs FILE=<backup .jsonl.gz>"
  data_target
  local yes=()
  [[ "${YES:-0}" == 1 ]] && yes=(--yes)
  "$PY" "$TABLE_PY" restore "${DATA_ARGS[@]}" --in "$FILE" "${yes[@]}"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop || true; cmd_start ;;
  status) cmd_status ;;
  backup) cmd_backup ;;
  restore) cmd_restore ;;
  clean) cmd_clean ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
