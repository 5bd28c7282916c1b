#!/usr/bin/env bash
# Local emulators: the DynamoDB engine (Dynoxide by default, or moto) and
# aws-ses-v2-local (SES v2).
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
#   DYNAMODB_ENGINE (dynoxide)   dynoxide: local-dynamodb (Dynoxide on SQLite, built
#                                from this workspace); moto: moto_server from .venv
#   DYNAMODB_PORT (4566)  SES_PORT (8005)  TABLE_NAME (intentional-social-local)
#   DYNAMODB_DATA_FILE ($STACK_DIR/dynamodb.sqlite)  Dynoxide's data; :memory:
#                                keeps it in memory (make test, make bench). moto
#                                keeps data in memory only: the snapshot carries it.
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

DYNAMODB_ENGINE="${DYNAMODB_ENGINE:-dynoxide}"
DYNAMODB_PORT="${DYNAMODB_PORT:-${MOTO_PORT:-4566}}" # MOTO_PORT: the old name, still read
SES_PORT="${SES_PORT:-8005}"
TABLE_NAME="${TABLE_NAME:-intentional-social-local}"
TEMPLATE="${TEMPLATE:-template.yaml}"
STACK_DIR="${STACK_DIR:-$ROOT/.local}"
SNAPSHOT="${SNAPSHOT:-$STACK_DIR/snapshot.jsonl.gz}"
NO_SNAPSHOT="${NO_SNAPSHOT:-0}"
STACK_WAIT_SECONDS="${STACK_WAIT_SECONDS:-30}"

case "$TEMPLATE" in /*) ;; *) TEMPLATE="$ROOT/$TEMPLATE" ;; esac
case "$STACK_DIR" in /*) ;; *) STACK_DIR="$ROOT/$STACK_DIR" ;; esac
DYNAMODB_DATA_FILE="${DYNAMODB_DATA_FILE:-$STACK_DIR/dynamodb.sqlite}"
case "$DYNAMODB_DATA_FILE" in
  :memory:) DYNAMODB_DATA_FILE="" ;; # in memory: no --db-path
  /*) ;;
  *) DYNAMODB_DATA_FILE="$ROOT/$DYNAMODB_DATA_FILE" ;;
esac
case "$DYNAMODB_ENGINE" in
  dynoxide | moto) ;;
  *) die "DYNAMODB_ENGINE=$DYNAMODB_ENGINE: use dynoxide (the default) or moto" ;;
esac

PY="$ROOT/.venv/bin/python"
TABLE_PY="$ROOT/infra/local/table.py"
MOTO_BIN="$ROOT/.venv/bin/moto_server"
DYNOXIDE_BIN="$(local_dynamodb_bin)"
SES_CLI="$ROOT/infra/local/node_modules/aws-ses-v2-local/dist/cli.js"
PID_DIR="$STACK_DIR/pids"
LOG_DIR="$STACK_DIR/logs"
RESTORE_PENDING="$STACK_DIR/restore-pending"
DYNAMODB_URL="http://127.0.0.1:$DYNAMODB_PORT"
SES_URL="http://127.0.0.1:$SES_PORT"

# The engine this stack's DynamoDB runs: the one recorded when it was
# started (so that `stop` finds a moto started with DYNAMODB_ENGINE=moto
# whatever the variable says now), or the one asked for.
running_engine() {
  local recorded
  recorded="$(cat "$PID_DIR/dynamodb.engine" 2>/dev/null || true)"
  echo "${recorded:-$DYNAMODB_ENGINE}"
}

# Per service: marker in its command line, port variable, readiness URL.
svc_marker() {
  case "$1" in
    dynamodb) if [[ "$(running_engine)" == moto ]]; then echo moto_server; else echo local-dynamodb; fi ;;
    ses) echo aws-ses-v2-local ;;
  esac
}
svc_port() { case "$1" in dynamodb) echo "$DYNAMODB_PORT" ;; ses) echo "$SES_PORT" ;; esac; }
svc_port_var() { case "$1" in dynamodb) echo DYNAMODB_PORT ;; ses) echo SES_PORT ;; esac; }
svc_probe_url() {
  case "$1" in
    dynamodb) if [[ "$(running_engine)" == moto ]]; then echo "$DYNAMODB_URL/moto-api/"; else echo "$DYNAMODB_URL/"; fi ;;
    ses) echo "$SES_URL/health-check" ;;
  esac
}
svc_title() {
  case "$1" in
    dynamodb) if [[ "$(running_engine)" == moto ]]; then echo "moto_server (DynamoDB emulator)"; else echo "Dynoxide (local DynamoDB)"; fi ;;
    ses) echo "aws-ses-v2-local (SES v2 emulator)" ;;
  esac
}

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
  [[ -x "$PY" ]] || die "$PY not found: run 'make .venv' first"
  if [[ "$DYNAMODB_ENGINE" == moto ]]; then
    [[ -x "$MOTO_BIN" ]] || die "$MOTO_BIN not found: run 'make .venv' first"
  else
    build_local_dynamodb
  fi
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
    if [[ "$svc" == dynamodb && "$(running_engine)" != "$DYNAMODB_ENGINE" ]]; then
      abort_start "$(svc_title "$svc") is already running for this stack (pid $(pid_of "$svc")), not $DYNAMODB_ENGINE: stop it first (make stack-stop)"
    fi
    say "$(svc_title "$svc") already running (pid $(pid_of "$svc"), port $port)"
    return 0
  fi
  # Not running: whatever engine was recorded is stale.
  [[ "$svc" != dynamodb ]] || rm -f "$PID_DIR/dynamodb.engine"

  if port_open "$port"; then
    local who
    who="$(who_listens "$port")"
    abort_start "port $port, needed by $(svc_title "$svc"), is already in use${who:+ by $who}." \
      "Stop that process, or use another port: $(svc_port_var "$svc")=<free port> make dev (or set it in .env)."
  fi
  printf '\n--- %s start %s (port %s)\n' "$svc" "$(date -u +%FT%TZ)" "$port" >>"$log"
  # setsid: own session, so the Ctrl-C that stops `make dev` does not reach the
  # emulators before dev.sh has taken its snapshot.
  local data=()
  [[ -n "$DYNAMODB_DATA_FILE" ]] && data=(--db-path "$DYNAMODB_DATA_FILE")
  case "$svc:$DYNAMODB_ENGINE" in
    dynamodb:moto) setsid "$PY" "$ROOT/infra/local/moto_server.py" -H 127.0.0.1 -p "$port" >>"$log" 2>&1 </dev/null & ;;
    dynamodb:dynoxide)
      [[ -z "$DYNAMODB_DATA_FILE" ]] || mkdir -p "$(dirname "$DYNAMODB_DATA_FILE")"
      setsid "$DYNOXIDE_BIN" --host 127.0.0.1 --port "$port" "${data[@]}" >>"$log" 2>&1 </dev/null &
      ;;
    ses:*) setsid node "$SES_CLI" --host 127.0.0.1 --port "$port" >>"$log" 2>&1 </dev/null & ;;
  esac
  echo "$!" >"$PID_DIR/$svc.pid"
  [[ "$svc" != dynamodb ]] || echo "$DYNAMODB_ENGINE" >"$PID_DIR/dynamodb.engine"
  STARTED+=("$svc")
}

# exited_early SVC: the service died while starting; name the cause and the fix.
exited_early() {
  local svc="$1" log="$LOG_DIR/$1.log" pid rc=0
  pid="$(<"$PID_DIR/$svc.pid")"
  wait "$pid" 2>/dev/null || rc=$?
  tail -n 20 "$log" >&2 || true
  if [[ "$svc" == dynamodb && "$DYNAMODB_ENGINE" == dynoxide ]]; then
    case "$rc" in
      3) set_aside_data_file ;;
      4) abort_start "Dynoxide could not listen on port $DYNAMODB_PORT (in use?). Stop what listens there, or use another port: DYNAMODB_PORT=<free port> make dev" ;;
    esac
  fi
  abort_start "$(svc_title "$svc") exited during startup (exit $rc); full log: $log"
}

# A data file Dynoxide cannot read is moved aside, never overwritten or deleted.
set_aside_data_file() {
  local aside
  aside="$DYNAMODB_DATA_FILE.unreadable-$(date -u +%Y%m%dT%H%M%SZ)"
  mv -- "$DYNAMODB_DATA_FILE" "$aside"
  local f
  for f in "$DYNAMODB_DATA_FILE-wal" "$DYNAMODB_DATA_FILE-shm"; do
    [[ -e "$f" ]] && mv -- "$f" "$aside${f#"$DYNAMODB_DATA_FILE"}"
  done
  abort_start "the local DynamoDB data file $DYNAMODB_DATA_FILE is unreadable (damaged, or not a Dynoxide database; details above)." \
    "It was moved to $aside; nothing was deleted." \
    "Run the command again to start with a new table$([[ -f "$SNAPSHOT" && "$NO_SNAPSHOT" != 1 ]] && echo ", restored from the snapshot $SNAPSHOT")."
}

wait_ready() {
  local svc="$1" deadline=$((SECONDS + STACK_WAIT_SECONDS)) log="$LOG_DIR/$1.log"
  until answers "$svc"; do
    if ! pid_of "$svc" >/dev/null; then
      exited_early "$svc"
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
  if ! out="$("$PY" "$TABLE_PY" create --template "$TEMPLATE" --endpoint "$DYNAMODB_URL" --region "$LOCAL_REGION" \
    --table "$TABLE_NAME" --if-missing)"; then
    abort_start "could not create table $TABLE_NAME from $TEMPLATE (see above)"
  fi
  if [[ "$out" == *status=created* && "$NO_SNAPSHOT" != 1 && -f "$SNAPSHOT" ]]; then
    say "restoring dev data from $SNAPSHOT"
    : >"$RESTORE_PENDING"
    if ! "$PY" "$TABLE_PY" restore --endpoint "$DYNAMODB_URL" --region "$LOCAL_REGION" --table "$TABLE_NAME" \
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
  launch dynamodb
  launch ses
  wait_ready dynamodb
  wait_ready ses
  ensure_table
  say "local stack up: $(svc_title dynamodb) $DYNAMODB_URL (table $TABLE_NAME), SES $SES_URL (mailbox $SES_URL/), logs $LOG_DIR/"
}

stop_service() {
  local svc="$1" pid i
  if ! pid="$(pid_of "$svc")"; then
    rm -f "$PID_DIR/$svc.pid"
    [[ "$svc" != dynamodb ]] || rm -f "$PID_DIR/dynamodb.engine"
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
  say "stopped $(svc_title "$svc") (pid $pid)"
  rm -f "$PID_DIR/$svc.pid"
  [[ "$svc" != dynamodb ]] || rm -f "$PID_DIR/dynamodb.engine"
  return 0
}

snapshot() {
  [[ "$NO_SNAPSHOT" != 1 ]] || return 0
  pid_of dynamodb >/dev/null && answers dynamodb || return 0
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
  if "$PY" "$TABLE_PY" backup --endpoint "$DYNAMODB_URL" --region "$LOCAL_REGION" --table "$TABLE_NAME" \
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
  stop_service dynamodb
  rm -f "$RESTORE_PENDING"
  return "$rc"
}

cmd_status() {
  local svc pid state
  for svc in dynamodb ses; do
    if pid="$(pid_of "$svc")"; then
      if answers "$svc"; then state="running, answering"; else state="running, NOT answering"; fi
      printf '%-8s %-24s pid %-7s %s\n' "$svc" "$state" "$pid" "$(svc_probe_url "$svc")"
    else
      printf '%-8s %-24s %-11s %s\n' "$svc" stopped "" "$(svc_probe_url "$svc")"
    fi
  done
  printf 'engine   %s%s\n' "$(running_engine)" "$([[ "$(running_engine)" == dynoxide && -n "$DYNAMODB_DATA_FILE" ]] && echo ", data in $DYNAMODB_DATA_FILE")"
  printf 'logs     %s\n' "$LOG_DIR"
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
    say "       (STACK_DIR=<its dir> DYNAMODB_PORT=.. SES_PORT=.. infra/local/stack.sh stop):"
    printf '         %s\n' "${busy[@]}" >&2
    say "       nothing was removed"
    return 1
  fi
  find "$base" -mindepth 1 -maxdepth 1 ! -name 'snapshot*' ! -name 'dynamodb.sqlite*' ! -name app-secret -exec rm -rf {} +
  if compgen -G "$base/snapshot*" >/dev/null || compgen -G "$base/dynamodb.sqlite*" >/dev/null || [[ -f "$base/app-secret" ]]; then
    say "kept the dev data in $base (dynamodb.sqlite*, snapshot*, app-secret); 'make clean-all' removes it"
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
    DATA_ARGS+=(--endpoint "$DYNAMODB_URL" --region "$LOCAL_REGION")
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
