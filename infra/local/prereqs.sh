#!/usr/bin/env bash
# Checks the tools the local stack and `make test` need; names each missing one
# and how to install it. Exit 1 when anything is missing.
set -uo pipefail

missing=0
ok() { printf '  ok       %-8s %s\n' "$1" "$2"; }
bad() {
  printf '  MISSING  %-8s %s\n           install: %s\n' "$1" "$2" "$3" >&2
  missing=1
}

echo "checking prerequisites:"

if command -v python3 >/dev/null 2>&1; then
  pyver="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  if python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    if python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
      ok python3 "$pyver"
    else
      bad python3 "$pyver has no venv/ensurepip module" "apt-get install -y python3-venv"
    fi
  else
    bad python3 "$pyver is too old (need >= 3.11)" "apt-get install -y python3 python3-venv (Debian 12+), or pyenv install 3.11"
  fi
else
  bad python3 "not found (need >= 3.11)" "apt-get install -y python3 python3-venv"
fi

if command -v node >/dev/null 2>&1; then
  nodever="$(node -p 'process.versions.node')"
  if [[ "${nodever%%.*}" -ge 20 ]]; then
    ok node "$nodever"
  else
    bad node "$nodever is too old (need >= 20)" "apt-get install -y nodejs npm (Debian 13; Debian 12 ships 18), or nvm install 20"
  fi
else
  bad node "not found (need >= 20)" "apt-get install -y nodejs npm (Debian 13; Debian 12 ships 18), or nvm install 20"
fi

if command -v npm >/dev/null 2>&1; then
  ok npm "$(npm --version 2>/dev/null)"
else
  bad npm "not found" "apt-get install -y npm"
fi

if command -v cargo >/dev/null 2>&1; then
  ok cargo "$(cargo --version 2>/dev/null | awk '{print $2}')"
else
  bad cargo "not found" "rustup (https://rustup.rs), or apt-get install -y rustup && rustup default stable"
fi

# Dynoxide (the local DynamoDB) and ring compile C sources.
if command -v cc >/dev/null 2>&1; then
  ok cc "$(cc -dumpversion 2>/dev/null)"
else
  bad cc "no C compiler (the local DynamoDB builds SQLite from source)" "apt-get install -y gcc"
fi

if command -v curl >/dev/null 2>&1; then
  ok curl "$(curl --version 2>/dev/null | awk 'NR==1{print $2}')"
else
  bad curl "not found" "apt-get install -y curl ca-certificates"
fi

if command -v openssl >/dev/null 2>&1; then
  ok openssl "$(openssl version 2>/dev/null | awk '{print $2}')"
else
  bad openssl "not found" "apt-get install -y openssl"
fi

if command -v setsid >/dev/null 2>&1; then
  ok setsid "(util-linux)"
else
  bad setsid "not found" "apt-get install -y util-linux"
fi

if [[ "$missing" -ne 0 ]]; then
  echo "error: missing prerequisites (see above)" >&2
  exit 1
fi
