#!/usr/bin/env bash
# `make bench`: a report, not a test. Runs infra/bench against a throwaway
# local stack (own ports and table, no snapshot), with release builds of the
# functions so init time is measured on optimised binaries.
set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

export LOAD_DOTENV=0
export MOTO_PORT="${BENCH_MOTO_PORT:-4588}"
export SES_PORT="${BENCH_SES_PORT:-8028}"
export TABLE_NAME=intentional-social-bench
export STACK_DIR="$ROOT/.local/bench"
export NO_SNAPSHOT=1
STACK="$ROOT/infra/local/stack.sh"

trap '"$STACK" stop >/dev/null 2>&1 || true' EXIT
"$STACK" stop >/dev/null 2>&1 || true
rm -rf "$STACK_DIR"
"$STACK" start

echo "==> building release binaries (functions and the bench)"
cargo build --quiet --release -p auth -p users -p health -p connections -p tags -p posts -p feed -p bench

env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN \
  AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$MOTO_PORT" \
  AWS_ENDPOINT_URL_SESV2="http://127.0.0.1:$SES_PORT" \
  SES_STORE_URL="http://127.0.0.1:$SES_PORT" \
  AWS_REGION="$LOCAL_REGION" AWS_DEFAULT_REGION="$LOCAL_REGION" \
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \
  TABLE_NAME="$TABLE_NAME" \
  APP_SECRET=bench-secret-not-for-production-0123456789abcdef0123456789 \
  SENDER_EMAIL=no-reply@intentional.local \
  RUST_LOG=warn \
  target/release/bench

echo
echo "## Frontend bundle"
if [[ -d frontend/dist/assets ]]; then
  js=$(cat frontend/dist/assets/*.js | gzip -9 | wc -c)
  css=$(cat frontend/dist/assets/*.css 2>/dev/null | gzip -9 | wc -c)
  echo "JS gzipped: $((js / 1024)) KiB (target < 150 KiB), CSS gzipped: $((css / 1024)) KiB"
else
  echo "frontend/dist not built (make dev builds it)"
fi
