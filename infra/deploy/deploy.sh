#!/usr/bin/env bash
# One-command deployment of Intentional Social to AWS (`make deploy ENV=dev`).
#
#   infra/deploy/deploy.sh ENV [--check | --spa-only]
#
#   ENV         a samconfig.toml environment: dev or prod
#   --check     only check tools, credentials and parameters, then stop
#   --spa-only  skip sam build/deploy: rebuild and upload the SPA of this
#               checkout, invalidate, smoke check (a front-end rollback)
#
# Steps: check everything first (naming each missing tool and parameter), sam
# build, sam deploy --config-env ENV, build the SPA, upload it to the stack's
# bucket with the right cache headers, invalidate the entry points in
# CloudFront, then a smoke check of https://<app>/api/health and of the SPA.
#
# Parameters: samconfig.toml's [ENV.deploy.parameters] parameter_overrides,
# overridden by these environment variables when they are set:
#   SENDER_EMAIL           -> SenderEmail (required; a verified SES identity)
#   ALARM_EMAIL            -> AlarmEmail (required for prod)
#   CORS_ALLOWED_ORIGINS   -> CorsAllowedOrigins
#   DOMAIN_NAME            -> DomainName       } together, or neither
#   CERTIFICATE_ARN        -> CertificateArn   } (ACM certificate in us-east-1)
#   ENABLE_WEB_ACL         -> EnableWebAcl (true needs a stack in us-east-1)
#   WEB_ACL_ARN            -> WebAclArn (from infra/deploy/waf.yaml in us-east-1)
#   EXTRA_PARAMETERS       -> more Key=Value pairs, space separated
# and DEPLOY_REGION overrides samconfig's region.
#
# Other environment: CI=true or DEPLOY_YES=1 executes prod's change set
# without asking (GitHub's environment approval is the confirmation there);
# SKIP_BUILD=1 reuses .aws-sam/build; SMOKE_TIMEOUT (300) seconds for the
# smoke check.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

say() { printf '==> %s\n' "$*"; }
err() { printf 'deploy: %s\n' "$*" >&2; }

usage() {
  sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

ENV_NAME=""
CHECK_ONLY=0
SPA_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --check) CHECK_ONLY=1 ;;
    --spa-only) SPA_ONLY=1 ;;
    -h | --help) usage ;;
    -*) err "unknown option $arg"; usage ;;
    *) ENV_NAME="$arg" ;;
  esac
done
ENV_NAME="${ENV_NAME:-${ENV:-}}"
if [[ -z "$ENV_NAME" ]]; then
  err "which environment? usage: make deploy ENV=dev (or ENV=prod)"
  exit 2
fi

PROBLEMS=()
problem() { PROBLEMS+=("$*"); }

# ---------------------------------------------------------------- tools
# The project's virtualenv has sam (make .venv); prefer it.
if [[ -x "$ROOT/.venv/bin/sam" ]]; then
  export PATH="$ROOT/.venv/bin:$PATH"
fi
need_tool() { # need_tool NAME HOW-TO-GET-IT
  command -v "$1" >/dev/null 2>&1 || problem "tool '$1' not found: $2"
}
need_tool python3 "install Python 3.11+ (make prereqs)"
need_tool aws "install the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)"
need_tool sam "run 'make .venv' (installs the SAM CLI into .venv/)"
need_tool cargo "install Rust with rustup (sam build uses cargo-lambda)"
need_tool npm "install Node.js 20+ with npm (make prereqs)"
need_tool curl "apt-get install -y curl"

# ---------------------------------------------------------------- parameters
# samconfig.toml + environment -> "Key=Value" lines (values may hold spaces).
if command -v python3 >/dev/null 2>&1; then
  if ! CONFIG="$(ENV_NAME="$ENV_NAME" python3 - <<'PY'
import os, shlex, sys
try:
    import tomllib
except ModuleNotFoundError:
    sys.exit("python 3.11+ is needed to read samconfig.toml")
env = os.environ["ENV_NAME"]
with open("samconfig.toml", "rb") as fh:
    config = tomllib.load(fh)
if env not in config or env == "version":
    known = ", ".join(k for k in config if k not in ("version", "default"))
    sys.exit(f"samconfig.toml has no environment {env!r} (known: {known})")
deploy = config[env].get("deploy", {}).get("parameters", {})
glob = config[env].get("global", {}).get("parameters", {})
params = {}
for item in shlex.split(deploy.get("parameter_overrides", "")):
    key, _, value = item.partition("=")
    params[key] = value
for var, key in (
    ("SENDER_EMAIL", "SenderEmail"),
    ("ALARM_EMAIL", "AlarmEmail"),
    ("CORS_ALLOWED_ORIGINS", "CorsAllowedOrigins"),
    ("DOMAIN_NAME", "DomainName"),
    ("CERTIFICATE_ARN", "CertificateArn"),
    ("ENABLE_WEB_ACL", "EnableWebAcl"),
    ("WEB_ACL_ARN", "WebAclArn"),
):
    if os.environ.get(var) is not None and os.environ.get(var) != "":
        params[key] = os.environ[var]
for item in shlex.split(os.environ.get("EXTRA_PARAMETERS", "")):
    key, _, value = item.partition("=")
    params[key] = value
region = os.environ.get("DEPLOY_REGION") or deploy.get("region") or glob.get("region") or ""
stack = deploy.get("stack_name") or glob.get("stack_name") or ""
print(f"region={region}")
print(f"stack={stack}")
for key, value in params.items():
    print(f"param:{key}={value}")
PY
  )"; then
    problem "cannot read samconfig.toml (see above)"
    CONFIG=""
  fi
else
  CONFIG=""
fi

REGION="" STACK=""
declare -A P=()
while IFS= read -r line; do
  case "$line" in
    region=*) REGION="${line#region=}" ;;
    stack=*) STACK="${line#stack=}" ;;
    param:*) kv="${line#param:}"; P["${kv%%=*}"]="${kv#*=}" ;;
  esac
done <<<"$CONFIG"

if [[ -n "$CONFIG" ]]; then
  [[ -n "$REGION" ]] || problem "region: set it in samconfig.toml [$ENV_NAME.deploy.parameters] or DEPLOY_REGION"
  [[ -n "$STACK" ]] || problem "stack_name: set it in samconfig.toml [$ENV_NAME.deploy.parameters]"
  sender="${P[SenderEmail]:-}"
  if [[ -z "$sender" || "$sender" == *@example.com || "$sender" == *@example.org || "$sender" == *.example ]]; then
    problem "parameter SenderEmail: set SENDER_EMAIL (or samconfig.toml) to an address whose address or domain is a verified SES identity in ${REGION:-the region} (now: '${sender}')"
  fi
  if [[ "$ENV_NAME" == prod && -z "${P[AlarmEmail]:-}" ]]; then
    problem "parameter AlarmEmail: prod needs someone to receive the alarms: set ALARM_EMAIL"
  fi
  domain="${P[DomainName]:-}" cert="${P[CertificateArn]:-}"
  if [[ -n "$domain" && -z "$cert" ]]; then
    problem "parameter CertificateArn: DomainName=$domain needs CERTIFICATE_ARN, an ACM certificate in us-east-1 covering it"
  fi
  if [[ -z "$domain" && -n "$cert" ]]; then
    problem "parameter DomainName: CertificateArn is set but DomainName is not: set DOMAIN_NAME"
  fi
  if [[ -n "$cert" && "$cert" != arn:aws*:acm:us-east-1:* ]]; then
    problem "parameter CertificateArn: CloudFront only uses certificates from us-east-1 (got $cert)"
  fi
  if [[ "${P[EnableWebAcl]:-false}" == true && "$REGION" != us-east-1 ]]; then
    problem "parameter EnableWebAcl: a CloudFront web ACL can only be created in us-east-1; deploy infra/deploy/waf.yaml there and set WEB_ACL_ARN instead"
  fi
fi

# ---------------------------------------------------------------- credentials
if command -v aws >/dev/null 2>&1 && [[ -n "$REGION" ]]; then
  if ! ACCOUNT="$(aws sts get-caller-identity --region "$REGION" --query Account --output text 2>/dev/null)"; then
    problem "AWS credentials: none that work (aws sts get-caller-identity failed): set AWS_PROFILE, or run 'aws configure sso' / 'aws sso login'"
  fi
fi

if ((${#PROBLEMS[@]})); then
  err "cannot deploy '$ENV_NAME' yet:"
  for p in "${PROBLEMS[@]}"; do printf '  - %s\n' "$p" >&2; done
  exit 2
fi

say "deploying '$ENV_NAME': stack $STACK in $REGION, account ${ACCOUNT:-?}"
OVERRIDES=()
for key in "${!P[@]}"; do
  [[ "${P[$key]}" != *'"'* ]] || { err "parameter $key: double quotes are not allowed in values"; exit 2; }
  OVERRIDES+=("$key=\"${P[$key]}\"") # SAM's Key="value" form (values may hold commas)
done
printf '    %s\n' "${OVERRIDES[@]}"
if ((CHECK_ONLY)); then
  say "checks passed (--check: stopping here)"
  exit 0
fi
export SAM_CLI_TELEMETRY=0 AWS_REGION="$REGION" AWS_DEFAULT_REGION="$REGION"

# ---------------------------------------------------------------- backend
if ((SPA_ONLY)); then
  say "--spa-only: the stack stays as it is"
elif [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  say "sam build (cargo-lambda, arm64)"
  bash "$ROOT/infra/local/lambda-build.sh" --config-env "$ENV_NAME"
fi

CONFIRM=()
if [[ "${CI:-}" == true || "${DEPLOY_YES:-0}" == 1 ]]; then
  CONFIRM=(--no-confirm-changeset)
fi
if ((!SPA_ONLY)); then
  say "sam deploy --config-env $ENV_NAME"
  sam deploy --config-env "$ENV_NAME" --region "$REGION" --stack-name "$STACK" \
    --parameter-overrides "${OVERRIDES[@]}" "${CONFIRM[@]}"
fi

output() {
  aws cloudformation describe-stacks --stack-name "$STACK" --region "$REGION" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
BUCKET="$(output SpaBucketName)"
DISTRIBUTION="$(output DistributionId)"
APP_URL="$(output AppUrl)"
APP_URL="${APP_URL%/}"
[[ -n "$BUCKET" && "$BUCKET" != None && -n "$DISTRIBUTION" && "$DISTRIBUTION" != None ]] || {
  err "stack $STACK has no SpaBucketName/DistributionId outputs"
  exit 1
}

# ---------------------------------------------------------------- SPA
say "building the SPA"
if [[ ! -d frontend/node_modules ]]; then
  npm --prefix frontend ci --no-audit --no-fund
fi
npm --prefix frontend run build
DIST=frontend/dist
[[ -f "$DIST/index.html" ]] || { err "$DIST/index.html missing after the build"; exit 1; }

say "uploading to s3://$BUCKET"
# 1. Hashed assets first, cached for a year: a new index.html never points
#    at a file that is not there yet. Old hashes stay (open tabs still load
#    their lazy chunks); the bucket's lifecycle keeps it tidy.
if [[ -d "$DIST/assets" ]]; then
  aws s3 sync "$DIST/assets" "s3://$BUCKET/assets" --only-show-errors \
    --cache-control "public, max-age=31536000, immutable"
fi
# 2. Other files (icons, manifest): an hour, as the local gateway serves them.
aws s3 sync "$DIST" "s3://$BUCKET" --only-show-errors --delete \
  --exclude "assets/*" --exclude "index.html" --exclude "*.webmanifest" \
  --cache-control "public, max-age=3600"
for manifest in "$DIST"/*.webmanifest; do
  [[ -f "$manifest" ]] || continue
  aws s3 cp "$manifest" "s3://$BUCKET/${manifest##*/}" --only-show-errors \
    --content-type "application/manifest+json" --cache-control "public, max-age=3600"
done
# 3. The entry point last, always revalidated.
aws s3 cp "$DIST/index.html" "s3://$BUCKET/index.html" --only-show-errors \
  --content-type "text/html; charset=utf-8" --cache-control "no-cache"

say "invalidating /index.html and /manifest.webmanifest"
# Client routes are rewritten to /index.html before the cache lookup, so this
# one path covers them all.
aws cloudfront create-invalidation --distribution-id "$DISTRIBUTION" \
  --paths /index.html /manifest.webmanifest --query Invalidation.Id --output text

# ---------------------------------------------------------------- smoke check
say "smoke check: $APP_URL/api/health and $APP_URL/"
deadline=$((SECONDS + ${SMOKE_TIMEOUT:-300}))
until body="$(curl -fsS -m 10 "$APP_URL/api/health" 2>/dev/null)" && [[ "$body" == *'"ok"'* ]]; do
  if ((SECONDS > deadline)); then
    err "smoke check failed: $APP_URL/api/health did not answer {\"status\":\"ok\"} (last: ${body:-no answer})"
    err "see docs/runbook.md (health checks) and the dashboard ${STACK}"
    exit 1
  fi
  sleep 10
done
headers="$(curl -fsS -m 10 -o /dev/null -D - "$APP_URL/feed")" || {
  err "smoke check failed: $APP_URL/feed (a client route) did not answer 200"
  exit 1
}
if ! grep -qi "^content-security-policy: default-src 'self'" <<<"$headers"; then
  err "smoke check failed: $APP_URL/feed has no strict Content-Security-Policy header"
  exit 1
fi
say "deployed: $APP_URL/"
