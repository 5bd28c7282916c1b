# Intentional Social: developer entry points. `make` alone lists the targets.
# The orchestration lives in infra/local/*.sh; the recipes here stay short.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
VENV_STAMP := $(VENV)/.installed
PY_REQS := infra/local/requirements.txt infra/local/constraints.txt
# checkov, in a venv of its own: its boto3 pin clashes with aws-sam-cli's.
SCAN_VENV := .venv-scan
SCAN_VENV_STAMP := $(SCAN_VENV)/.installed
SCAN_REQS := infra/local/requirements-scan.txt infra/local/constraints-scan.txt
LOCAL_NODE_STAMP := infra/local/node_modules/.installed
FRONTEND_NODE_STAMP := $(if $(wildcard frontend/package.json),frontend/node_modules/.installed)
NPM_CI := npm ci --no-audit --no-fund

.PHONY: help prereqs deps venv .venv .venv-scan node-deps dev stack-start stack-stop stack-status test \
	bench seed backup restore deploy clean clean-all lambda-build

help: ## list the targets
	@echo "usage: make <target> [VAR=value ...]"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_. -]+:.*## / {printf "  %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "variables: DYNAMODB_ENGINE (dynoxide|moto) DYNAMODB_PORT (4566) SES_PORT (8005) GATEWAY_PORT (3000) TABLE_NAME; see .env.example"
	@echo "backup/restore: FILE=path.jsonl.gz TABLE=name; ENDPOINT= (empty) targets real AWS, YES=1 confirms a restore there"

prereqs: ## check python3 >= 3.11, node >= 20, npm, cargo, a C compiler, curl, openssl
	@bash infra/local/prereqs.sh

deps: venv .venv-scan node-deps ## install all Python and npm dependencies

venv .venv: $(VENV_STAMP) ## Python tools in .venv/ (moto, boto3, pytest, cfn-lint, sam, cargo-lambda)

$(VENV_STAMP): $(PY_REQS) | prereqs
	@echo "installing infra/local/requirements.txt into $(VENV)/"
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@# --no-compile: no .pyc for every module of the SDKs and SAM up front
	@# (tens of seconds on a fresh clone); Python compiles what it imports.
	$(VENV)/bin/python -m pip install --disable-pip-version-check --quiet --no-compile -r infra/local/requirements.txt
	@touch $@

.venv-scan: $(SCAN_VENV_STAMP) ## checkov in .venv-scan/ (the template's security scan; own venv: its boto3 pin)

$(SCAN_VENV_STAMP): $(SCAN_REQS) | prereqs
	@echo "installing infra/local/requirements-scan.txt into $(SCAN_VENV)/"
	@test -x $(SCAN_VENV)/bin/python || $(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --disable-pip-version-check --quiet --no-compile -r infra/local/requirements-scan.txt
	@touch $@

node-deps: $(LOCAL_NODE_STAMP) $(FRONTEND_NODE_STAMP) ## npm ci in infra/local and frontend (when their lock files change)

$(LOCAL_NODE_STAMP): infra/local/package-lock.json infra/local/package.json | prereqs
	cd infra/local && $(NPM_CI)
	@touch $@

frontend/node_modules/.installed: frontend/package.json $(wildcard frontend/package-lock.json) | prereqs
	@test -f frontend/package-lock.json || { echo "error: frontend/package-lock.json is missing: run 'npm install' in frontend/ and commit it" >&2; exit 1; }
	cd frontend && $(NPM_CI)
	@touch $@

dev: prereqs deps ## build SPA + gateway, start the emulators, run the gateway on :3000 (Ctrl-C stops all)
	@bash infra/local/dev.sh

stack-start: prereqs deps ## start only the emulators (local DynamoDB + SES) and create the table
	@bash infra/local/stack.sh start

stack-stop: ## snapshot the table and stop the emulators
	@bash infra/local/stack.sh stop

stack-status: ## show whether the emulators are running
	@bash infra/local/stack.sh status

test: prereqs deps $(SCAN_VENV_STAMP) ## fmt, clippy, cargo test (on a throwaway stack), pytest, cfn-lint, sam validate, checkov, frontend checks
	@bash infra/local/test.sh

lambda-build: prereqs $(VENV_STAMP) ## sam build: every function's arm64 bootstrap (cargo-lambda + zig) into .aws-sam/build/
	@bash infra/local/lambda-build.sh

bench: prereqs deps ## report: latency, DynamoDB requests per call, init time, bootstrap size, bundle size
	@infra/local/bench.sh

seed: prereqs ## create a demo network (12 people, connections, tags, posts) in the running `make dev` stack
	@bash infra/local/seed.sh

# ENDPOINT unset: the dev stack. ENDPOINT= (empty): real AWS, TABLE= required.
DATA_ENV = FILE='$(FILE)' TABLE='$(TABLE)' YES='$(YES)' \
	$(if $(filter undefined,$(origin ENDPOINT)),ENDPOINT_GIVEN=0,ENDPOINT_GIVEN=1 ENDPOINT='$(ENDPOINT)')

backup: $(VENV_STAMP) ## back the table up to FILE (default .local/backups/<table>-<time>.jsonl.gz)
	@$(DATA_ENV) bash infra/local/stack.sh backup

restore: $(VENV_STAMP) ## restore FILE into the table (dev stack; ENDPOINT= TABLE=... YES=1 for AWS)
	@$(DATA_ENV) bash infra/local/stack.sh restore

ENV ?= dev
deploy: prereqs deps ## deploy to AWS: ENV=dev|prod (sam build+deploy, SPA upload, invalidation, smoke check; docs/deploy.md)
	@bash infra/deploy/deploy.sh $(ENV)

clean: ## stop the emulators; remove .local (except the dev snapshot and app secret) and install stamps
	@bash infra/local/stack.sh clean
	rm -f $(VENV_STAMP) $(SCAN_VENV_STAMP) $(LOCAL_NODE_STAMP) frontend/node_modules/.installed

clean-all: clean ## also remove the dev data in .local, .venv, .venv-scan and node_modules
	rm -rf .local $(VENV) $(SCAN_VENV) infra/local/node_modules frontend/node_modules
