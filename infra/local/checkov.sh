#!/usr/bin/env bash
# The security scan of `make test`: checkov over template.yaml (or $TEMPLATE)
# and infra/deploy/waf.yaml, offline. Exits non-zero on any failed check that
# is not skipped: in .checkov.yaml (checks that do not fit this app at all),
# or on one resource (Metadata: checkov: skip: in the template), each with
# its reason.
#
# Needs .venv-scan/ (`make .venv-scan`; checkov has a venv of its own: its
# boto3 pin clashes with aws-sam-cli's in .venv/). Extra arguments go to
# checkov, e.g. `bash infra/local/checkov.sh --check CKV_AWS_86`, or
# `--quiet` dropped by `CHECKOV_VERBOSE=1` to list the passed checks too.
set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

CHECKOV="$ROOT/.venv-scan/bin/checkov"
TEMPLATE="${TEMPLATE:-$ROOT/template.yaml}"
[[ -x "$CHECKOV" ]] || die "checkov is not in .venv-scan/: run 'make .venv-scan'"

quiet=(--quiet)
[[ "${CHECKOV_VERBOSE:-0}" == 1 ]] && quiet=()

# Offline, and the same run wherever it runs:
# - --skip-download and BC_SKIP_MAPPING keep it off the Prisma Cloud platform,
#   and with no API key it uploads nothing: BC_API_KEY is unset, and HOME is
#   an empty directory of ours, so no ~/.bridgecrew/credentials is read;
# - CKV_SKIP_PACKAGE_UPDATE_CHECK stops its version query to PyPI at start-up;
# - that HOME also keeps a developer's ~/.checkov.yaml out (checkov merges it
#   with ours: a soft-fail there would pass every failure), and the CKV_*
#   variables it reads would override the config file, so they are unset.
SCAN_HOME="$ROOT/.venv-scan/home"
mkdir -p "$SCAN_HOME"
exec env -u BC_API_KEY -u PRISMA_API_URL -u CKV_CHECK -u CKV_SKIP_CHECK -u CKV_FRAMEWORK \
  -u CKV_EXTERNAL_CHECKS_PUBLIC_KEY -u CKV_POLICY_METADATA_FILTER -u CKV_POLICY_METADATA_FILTER_EXCEPTION \
  HOME="$SCAN_HOME" BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=true \
  "$CHECKOV" \
  --file "$TEMPLATE" \
  --file "$ROOT/infra/deploy/waf.yaml" \
  --framework cloudformation \
  --skip-download \
  --config-file "$ROOT/.checkov.yaml" \
  --compact \
  "${quiet[@]}" \
  "$@"
