# ePEP developer tasks. A fresh machine needs only `make run` and `make test`.
# The logic lives in scripts/*.sh; this file only names the tasks.
#
# Settings (environment or `make VAR=value`):
#   DATABASE_URL + DATABASE_OWNER_URL  use this PostgreSQL (application role + table owner)
#                                       instead of the private one in .local/pg
#   REDIS_URL                           use this Redis instead of the private one
#   PG_PORT (54329) REDIS_PORT (63799)  ports of the private servers (127.0.0.1 only)
#   PORT (8000)                         port of `make run`'s web server
#   PYTEST_ARGS                         extra pytest arguments, e.g. PYTEST_ARGS='-x -k pdf'
#   SKIP_LINT=1                         `make test` without its ruff checks (CI runs them)
#   UPGRADE                             `make lock` moves these packages on ('all': all)
#   PYTHON                              a Python >= 3.12 to build .venv with
#   SCALE (authority) SEED (1)          `make bench`'s synthetic dataset (authority|national)

SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help venv lock system-deps run test lint format services-start services-stop \
	services-status clean bench

help: ## List the targets
	@echo "Usage: make <target>"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

venv: ## Create .venv and install requirements.lock (skipped when up to date)
	@bash scripts/venv.sh

lock: venv ## Regenerate requirements.lock from pyproject.toml (UPGRADE=pkg|all)
	@bash scripts/lock.sh

system-deps: ## Check/install system packages for tests (Chromium, poppler, WeasyPrint libs)
	@bash scripts/system-deps.sh test

run: ## Migrate, seed demo data, start Celery and the web server (127.0.0.1:8000, PORT=...)
	@bash scripts/run.sh

test: ## ruff check + format --check, then the test suite (PYTEST_ARGS='...')
	@bash scripts/test.sh

bench: ## Build or reuse the synthetic dataset (SCALE=authority|national) and measure
	@SCALE=$(or $(SCALE),authority) SEED=$(or $(SEED),1) bash scripts/bench.sh

lint: venv ## ruff check + ruff format --check
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: venv ## ruff format + ruff check --fix
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

services-start: ## Start private PostgreSQL + Redis; prints exports: eval "$(make -s services-start)"
	@bash scripts/services.sh start

services-stop: ## Stop the private PostgreSQL + Redis
	@bash scripts/services.sh stop

services-status: ## Show whether the private servers are running
	@bash scripts/services.sh status

clean: ## Stop the private servers and delete .local/ (their data, passwords, logs)
	@bash scripts/services.sh clean
