# shellcheck shell=bash
# shellcheck disable=SC2034  # ROOT, LOCAL_REGION are used by the scripts that source this
# Helpers shared by stack.sh, dev.sh and test.sh (sourced, not executed).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL_REGION=us-east-1   # the emulators keep data per region: everything local uses this one

say() { printf '%s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# load_env_file FILE: export KEY=VALUE lines of FILE for every KEY that is not
# already set, so `MOTO_PORT=4600 make dev` beats .env and .env beats defaults.
# The file is parsed, not sourced: no command substitution, no surprises.
load_env_file() {
  local file="$1" line key value
  [[ -f "$file" ]] || return 0
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line%$'\r'}"
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line#export }"
    if [[ ! "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
      warn "$file: ignoring line that is not KEY=VALUE: $line"
      continue
    fi
    key="${BASH_REMATCH[1]}"
    value="${BASH_REMATCH[2]}"
    if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then
      value="${BASH_REMATCH[1]}"
    else
      value="${value%%[[:space:]]#*}"            # trailing comment
      value="${value%"${value##*[![:space:]]}"}" # trailing blanks
    fi
    if [[ -z "${!key+x}" ]]; then
      export "$key=$value"
    fi
  done <"$file"
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# who_listens PORT: best-effort description of the process on a port
who_listens() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    ss -ltnpH "sport = :$port" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -1
  fi
}

# random_secret: 64 hex chars
random_secret() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -hex 32
  else
    python3 -c 'import secrets; print(secrets.token_hex(32))'
  fi
}

# local_dynamodb_bin: where cargo puts the local DynamoDB (infra/dynoxide),
# or LOCAL_DYNAMODB_BIN (make bench runs a release build).
local_dynamodb_bin() {
  if [[ -n "${LOCAL_DYNAMODB_BIN:-}" ]]; then
    echo "$LOCAL_DYNAMODB_BIN"
    return
  fi
  local dir="${CARGO_TARGET_DIR:-$ROOT/target}"
  case "$dir" in /*) ;; *) dir="$ROOT/$dir" ;; esac
  echo "$dir/debug/local-dynamodb"
}

# build_local_dynamodb: Dynoxide, at the version Cargo.lock pins, when it has
# not been built yet. `make dev` and `make test` build it with their other
# binaries in one cargo run (so that the dependencies they share are compiled
# once), so this only builds for a bare `make stack-start`. Stops with the
# cause when it cannot be built.
build_local_dynamodb() {
  [[ -x "$(local_dynamodb_bin)" ]] && return 0
  command -v cargo >/dev/null 2>&1 || die "cargo not found (needed to build the local DynamoDB): run 'make prereqs'"
  command -v cc >/dev/null 2>&1 || die "no C compiler (cc): Dynoxide compiles SQLite from source. Install one: apt-get install -y gcc"
  say "building the local DynamoDB (cargo build -p local-dynamodb)"
  if ! cargo build --quiet --manifest-path "$ROOT/Cargo.toml" -p local-dynamodb; then
    die "could not build local-dynamodb (Dynoxide, the local DynamoDB; see cargo's message above)." \
      "It needs the crates registry once (cargo fetch) and a C compiler. DYNAMODB_ENGINE=moto uses moto instead."
  fi
}

# local_aws_env DYNAMODB_PORT SES_PORT: sets LOCAL_AWS, the command prefix of
# every local process that talks to the emulators (the gateway, the tests, the
# bench): their endpoints, the local region and dummy credentials, and never
# the developer's AWS profile or session (a profile the emulators cannot find
# makes every SDK call fail; a real session must never reach them).
#   local_aws_env 4566 8005; "${LOCAL_AWS[@]}" cmd ...   (or exec "${LOCAL_AWS[@]}" ...)
local_aws_env() {
  LOCAL_AWS=(
    env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN
    AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$1"
    AWS_ENDPOINT_URL_SESV2="http://127.0.0.1:$2"
    SES_STORE_URL="http://127.0.0.1:$2"
    AWS_REGION="$LOCAL_REGION"
    AWS_DEFAULT_REGION="$LOCAL_REGION"
    AWS_ACCESS_KEY_ID=local
    AWS_SECRET_ACCESS_KEY=local
  )
}

# template_functions: "LogicalId Binary" of every function template.yaml
# (or $TEMPLATE) builds with cargo-lambda: the one list of function groups
# the build and the bench read. A binary is named as its crate.
template_functions() {
  "$ROOT/.venv/bin/python" - "${TEMPLATE:-$ROOT/template.yaml}" "$ROOT/infra/local" <<'PY'
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
import cfn_template  # the template loader that understands !Ref & co.
for name, resource in cfn_template.load(Path(sys.argv[1]))["Resources"].items():
    metadata = resource.get("Metadata", {})
    if metadata.get("BuildMethod") == "rust-cargolambda":
        print(name, metadata["BuildProperties"]["Binary"])
PY
}
template_function_crates() { template_functions | awk '{print $2}'; }
