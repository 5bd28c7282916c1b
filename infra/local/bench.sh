#!/usr/bin/env bash
# `make bench`: a report, not a test. Runs infra/bench against a throwaway
# local stack (own ports and table, no snapshot), with release builds of the
# functions so init time is measured on optimised binaries.
set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

export LOAD_DOTENV=0
export DYNAMODB_ENGINE="${DYNAMODB_ENGINE:-dynoxide}"
export DYNAMODB_PORT="${BENCH_DYNAMODB_PORT:-4588}"
export SES_PORT="${BENCH_SES_PORT:-8028}"
export TABLE_NAME=intentional-social-bench
export STACK_DIR="$ROOT/.local/bench"
export DYNAMODB_DATA_FILE=:memory:
export NO_SNAPSHOT=1
unset MOTO_PORT
STACK="$ROOT/infra/local/stack.sh"

# The function crates: every rust-cargolambda function of the template.
mapfile -t crates < <(template_function_crates)
((${#crates[@]})) || die "no rust-cargolambda functions found in template.yaml"
echo "==> building release binaries (${crates[*]}, the bench) and the local DynamoDB"
cargo build --quiet --release "${crates[@]/#/--package=}" -p bench
# The local DynamoDB optimised too, in a cargo run of its own (one run would
# unify its dependencies' features into the functions' builds): the dev
# profile leaves dependencies unoptimised, and an unoptimised SQLite would
# make the store most of every call measured and cap the load runs.
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
[[ "$DYNAMODB_ENGINE" != dynoxide ]] || cargo build --quiet --release -p local-dynamodb

trap '"$STACK" stop >/dev/null 2>&1 || true' EXIT
"$STACK" stop >/dev/null 2>&1 || true
rm -rf "$STACK_DIR"
LOCAL_DYNAMODB_BIN="$TARGET_DIR/release/local-dynamodb" "$STACK" start

local_aws_env "$DYNAMODB_PORT" "$SES_PORT"
BENCH_CRATES="${crates[*]}" BENCH_ENGINE="$DYNAMODB_ENGINE" "${LOCAL_AWS[@]}" \
  TABLE_NAME="$TABLE_NAME" \
  APP_SECRET=bench-secret-not-for-production-0123456789abcdef0123456789 \
  SENDER_EMAIL=no-reply@intentional.local \
  RUST_LOG=warn \
  "$TARGET_DIR/release/bench"

echo
echo "## Frontend bundle"
if [[ -d frontend/dist/assets ]]; then
  js=$(cat frontend/dist/assets/*.js | gzip -9 | wc -c)
  css=$(cat frontend/dist/assets/*.css 2>/dev/null | gzip -9 | wc -c)
  echo "JS gzipped: $((js / 1024)) KiB (target < 150 KiB), CSS gzipped: $((css / 1024)) KiB"
else
  echo "frontend/dist not built (make dev builds it)"
fi
