#!/usr/bin/env bash
# `make lambda-build`, the `sam-build` step of `make test`, and the build of
# `make deploy`: `sam build` of template.yaml, i.e. cargo-lambda compiling each
# function for arm64 (aarch64-unknown-linux-gnu, linked by zig) into
# .aws-sam/build/<LogicalId>/bootstrap. Then checks that every function in
# the template got an aarch64 ELF bootstrap and prints the sizes.
#
# Needs the project's .venv (sam, cargo-lambda, zig: `make .venv`) and the
# Rust target aarch64-unknown-linux-gnu, which it adds with rustup when missing.
# Extra arguments go to `sam build` (deploy.sh passes --config-env).
set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

TARGET=aarch64-unknown-linux-gnu
TEMPLATE="${TEMPLATE:-$ROOT/template.yaml}"

if [[ ! -x "$ROOT/.venv/bin/sam" || ! -x "$ROOT/.venv/bin/cargo-lambda" ]]; then
  echo "error: sam and cargo-lambda are not in .venv/: run 'make .venv'" >&2
  exit 1
fi
export PATH="$ROOT/.venv/bin:$PATH"

# The standard library for the Lambda target. rustup fetches it from
# static.rust-lang.org; without rustup, a distribution's Rust must ship it.
if ! rustc --print target-libdir --target "$TARGET" 2>/dev/null | xargs -r test -d; then
  if command -v rustup >/dev/null 2>&1; then
    echo "adding the Rust target $TARGET (rustup target add)"
    timeout 300 rustup target add "$TARGET" || {
      echo "error: could not add the Rust target $TARGET; run: rustup target add $TARGET" >&2
      exit 1
    }
  else
    echo "error: the Rust target $TARGET is missing and rustup is not installed: install Rust with rustup (https://rustup.rs), then: rustup target add $TARGET" >&2
    exit 1
  fi
fi

# No AWS_LC_SYS_NO_JITTER_ENTROPY here: the SDK uses rustls with ring (see
# shared/src/app.rs), so aws-lc is not built; `cargo tree -i aws-lc-sys` stays empty.
if cargo tree --quiet -e normal -i aws-lc-sys >/dev/null 2>&1; then
  echo "error: aws-lc-sys is back in the dependency tree (cargo tree -i aws-lc-sys): an AWS SDK crate probably has its default-https-client feature on again" >&2
  exit 1
fi
export SAM_CLI_TELEMETRY=0
# sam build reads no credentials, but the SDK it embeds wants a region.
export AWS_REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-$LOCAL_REGION}}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-$AWS_REGION}"

# "LogicalId Binary" of every function the template builds with cargo-lambda.
functions="$(template_functions)"
[[ -n "$functions" ]] || { echo "error: no rust-cargolambda function in $TEMPLATE" >&2; exit 1; }

# sam build runs cargo once per function, one after the other. Building every
# binary first in one cargo run (the same flags and feature resolution, so sam
# build's runs then find them fresh) lets cargo link them in parallel.
start=$SECONDS
bins=()
while read -r _ binary; do bins+=(--bin "$binary"); done <<<"$functions"
cargo lambda build --release --arm64 "${bins[@]}"
echo "cargo lambda build: $((SECONDS - start)) s"

start=$SECONDS
sam build --template "$TEMPLATE" "$@"
echo "sam build: $((SECONDS - start)) s"

# Every function must have an arm64 bootstrap (ELF e_machine 0xB7 = AArch64,
# at byte 18).
status=0
printf '%-22s %12s\n' "function" "bootstrap"
while read -r logical _; do
  bootstrap=".aws-sam/build/$logical/bootstrap"
  if [[ ! -f "$bootstrap" ]]; then
    echo "error: $bootstrap was not built" >&2
    status=1
    continue
  fi
  machine="$(od -An -tx1 -j18 -N2 "$bootstrap" | tr -d ' \n')"
  if [[ "$(head -c4 "$bootstrap" | od -An -c | tr -d ' \n')" != "177ELF" || "$machine" != "b700" ]]; then
    echo "error: $bootstrap is not an arm64 ELF executable (e_machine $machine)" >&2
    status=1
    continue
  fi
  printf '%-22s %9.2f MiB\n' "$logical" "$(awk -v b="$(stat -c %s "$bootstrap")" 'BEGIN{print b/1048576}')"
done <<<"$functions"
exit $status
