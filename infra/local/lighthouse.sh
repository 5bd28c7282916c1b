#!/usr/bin/env bash
# `make test`'s Lighthouse step: Google's audits (performance, accessibility,
# best practices, SEO; mobile, simulated throttling) of the built SPA on a
# real local gateway, which serves it as CloudFront does (headers,
# compression). Two pages: the welcome page of an anonymous visitor, and the
# feed of the seed's showcase person (infra/seed), signed in through the
# sign-in form. It passes when both pages score at least 95 for performance
# and 100 for the rest; otherwise it prints the audits that cost the points.
# The browser part is infra/local/lighthouse.mjs (Lighthouse's Node API on
# Debian's Chromium through puppeteer-core: no browser is downloaded).
#
# Environment: GATEWAY_URL, SES_STORE_URL, REPORT_DIR (HTML and JSON reports,
# under .local/), CHROMIUM_PATH (/usr/bin/chromium).
set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
: "${GATEWAY_URL:?}" "${SES_STORE_URL:?}" "${REPORT_DIR:?}"
mkdir -p "$REPORT_DIR"

[[ -x target/debug/seed ]] || die "target/debug/seed was not built (see cargo-clippy)"
[[ -d infra/local/node_modules/lighthouse ]] || die "lighthouse is not installed: make node-deps (npm ci in infra/local)"
# A feed to show: the seed signs people in where they exist already.
echo "seeding the demo network (infra/seed)"
GATEWAY_URL="$GATEWAY_URL" SES_STORE_URL="$SES_STORE_URL" target/debug/seed >"$REPORT_DIR/seed.log"

# The seed's showcase person and password (infra/seed/src/main.rs, network.rs).
CHROME_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}" GATEWAY_URL="$GATEWAY_URL" REPORT_DIR="$REPORT_DIR" \
  LIGHTHOUSE_LOGIN=ann LIGHTHOUSE_PASSWORD=amber-kettle-meadow-lantern-58 \
  node infra/local/lighthouse.mjs
