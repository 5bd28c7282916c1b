#!/usr/bin/env bash
# `make seed`: creates a small demo network (a dozen people with connections,
# pending requests, tags and posts of every audience) through the HTTP API of
# a running `make dev` stack, then prints how to sign in. Safe to re-run:
# existing accounts sign in instead of signing up, and what exists is kept.
#
# Environment (also read from .env, like make dev): GATEWAY_PORT (3000),
# SES_PORT (8005); or the full URLs GATEWAY_URL and SES_STORE_URL.
set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
if [[ "${LOAD_DOTENV:-1}" != 0 ]]; then
  load_env_file "$ROOT/.env"
fi

export GATEWAY_URL="${GATEWAY_URL:-http://127.0.0.1:${GATEWAY_PORT:-3000}}"
export SES_STORE_URL="${SES_STORE_URL:-http://127.0.0.1:${SES_PORT:-8005}}"

if ! curl -fsS -m 5 -o /dev/null "$GATEWAY_URL/api/health" 2>/dev/null; then
  die "the gateway at $GATEWAY_URL is not reachable: start \`make dev\` first (in another terminal), then run \`make seed\` again."
fi
if ! curl -fsS -m 5 -o /dev/null "$SES_STORE_URL/store" 2>/dev/null; then
  die "the local mailbox (SES emulator) at $SES_STORE_URL is not reachable: start \`make dev\` first, or set SES_PORT / SES_STORE_URL."
fi

say "==> building and running the seeder (cargo run -p seed)"
exec cargo run --quiet -p seed
