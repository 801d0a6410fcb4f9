# Conseiller numérique: `make run` and `make test` are all a new user needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
RASA := $(BIN)/rasa
# Rasa 3.6 needs Python 3.10: on PATH, else from pyenv.
PYTHON310 := $(shell for p in python3.10 $$(ls -d $$(pyenv root 2>/dev/null)/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V | tail -1) /usr/bin/python3.10; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo $$p; break; }; done)

RASA_PORT ?= 5005
ACTION_PORT ?= 5055
export ACTION_SERVER_URL ?= http://127.0.0.1:$(ACTION_PORT)/webhook
export TRACKER_DB_URL ?= sqlite:///$(CURDIR)/var/rasa-tracker.db
export CONSEILLER_DATABASE_URL ?= sqlite:///$(CURDIR)/var/conseiller.db
# The address the Rasa server is reached at: owners open their bilan there (/bilan/<id>).
export CONSOLE_PUBLIC_URL ?= http://localhost:$(RASA_PORT)
export RASA_TELEMETRY_ENABLED := false
# The model names our NLU component (rasa_addons.*): Rasa must import it from here.
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

MODEL := models/conseiller.tar.gz
# The NLU components read text through bot/language/: it is an input too.
TRAINING_INPUTS := config.yml domain.yml $(shell find data -type f -name '*.yml' 2>/dev/null) $(filter-out rasa_addons/tracker_store.py,$(wildcard rasa_addons/*.py)) $(wildcard bot/language/*.py) requirements.txt

.PHONY: help install train run shell test test-fast postgres redis lock evaluate validate clean advisor browser audit lint lint-js

help:
	@echo "make run       install, train if the data changed, start the assistant"
	@echo "make test      run every test (trains the model if needed)"
	@echo "make test-fast the unit and action tests only (about a minute, no model, no server)"
	@echo "make shell     chat in the terminal with the running assistant"
	@echo "make lint      ruff (lint and format), the import contract, mypy and ESLint"
	@echo "make typecheck mypy on the pure packages (bot/: language, diagnostic, advice, handover…)"
	@echo "make lint-js   ESLint on the widget's and the console's JavaScript (npm ci on first use)"
	@echo "make bench     ours against a vanilla Rasa 3.6: latency, throughput, memory, start-up (docs/performance.md)"
	@echo "make evaluate  NLU and answer-reading scores on held-out and independent sets (reports in results/)"
	@echo "make advisor EMAIL=… NAME=… [ROLE=manager]  create an advisor account for the console (managers also see the dashboard)"
	@echo "make lock      pin requirements.in and requirements-dev.in into requirements.txt (pip-tools)"
	@echo "make audit     known vulnerabilities of the dependencies (pip-audit; needs PyPI's JSON API)"
	@echo "make purge     erase the conversations and tickets older than privacy.retention_days"
	@echo "make reviewed  write the messages labelled in the console's inbox as training data (then: make train)"

$(VENV)/.installed: requirements.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 is required (Rasa 3.6 does not run on 3.11+): install it, e.g. 'pyenv install 3.10'"; exit 1; }
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip<25"
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip check
	@touch $@

install: $(VENV)/.installed

# The training time is also written to models/conseiller.train-seconds, for `make bench`.
$(MODEL): $(TRAINING_INPUTS) | $(VENV)/.installed
	@mkdir -p models
	@start=$$(date +%s); $(RASA) train --fixed-model-name conseiller --out models && \
	  seconds=$$(( $$(date +%s) - start )) && echo "$$seconds" > models/conseiller.train-seconds && \
	  echo "Model trained in $$seconds s"
	@touch $@

train: $(MODEL)

# Readable by its owner only (mode 600): the token opens the whole HTTP API.
var/auth-token:
	@mkdir -p var
	@$(PY) -c "from pathlib import Path; from bot.security.secret_files import read_or_create; read_or_create(Path('$@'))"

# The HTTP API token: RASA_AUTH_TOKEN from the environment, else one generated in var/.
# PROFILE=prod: several servers behind nginx (ops/topology.py, README "Production"), on the
# deployer's PostgreSQL and Redis, which must come from the environment (not the defaults above).
PROFILE ?=
RASA_SERVERS ?= 2
ACTION_SERVERS ?= 2
HTTP_PORT ?= 8080
ifeq ($(PROFILE),prod)
run: $(MODEL) var/auth-token nginx
	@for name in TRACKER_DB_URL CONSEILLER_DATABASE_URL; do \
	  case "$$(printenv $$name)" in postgresql://*|postgresql+psycopg2://*) ;; *) \
	    echo "PROFILE=prod : $$name doit être une adresse postgresql://… (PostgreSQL partagé par tous les serveurs)."; \
	    echo "PROFILE=prod: set $$name to a postgresql:// URL in the environment (a database every server shares)."; \
	    exit 1;; esac; done
	@test -n "$$REDIS_URL" || { echo "PROFILE=prod : définissez REDIS_URL (redis://hôte:port/base), partagé par tous les serveurs."; \
	  echo "PROFILE=prod: set REDIS_URL (redis://host:port/db), shared by every server."; exit 1; }
	@CONSOLE_PUBLIC_URL="$(if $(filter file,$(origin CONSOLE_PUBLIC_URL)),http://localhost:$(HTTP_PORT),$(CONSOLE_PUBLIC_URL))" \
	  $(PY) -m ops.topology --rasa-servers $(RASA_SERVERS) --action-servers $(ACTION_SERVERS) --port $(HTTP_PORT) \
	  --rasa-port $(RASA_PORT) --action-port $(ACTION_PORT) --model $(MODEL)
else
run: $(MODEL) var/auth-token
	@$(PY) -m ops.run_local --rasa-port $(RASA_PORT) --action-port $(ACTION_PORT) --model $(MODEL)
endif

shell: $(VENV)/.installed
	@$(PY) -m ops.chat --url http://127.0.0.1:$(RASA_PORT)

advisor: $(VENV)/.installed
	@test -n "$(EMAIL)" -a -n "$(NAME)" || { echo 'usage: make advisor EMAIL=conseil@example.org NAME="Équipe numérique" [ROLE=manager]'; exit 1; }
	@$(PY) -m ops.advisors add "$(EMAIL)" "$(NAME)" $(if $(ROLE),--role "$(ROLE)")

# Also run daily by the systemd timer of docs/deploy/ (the servers purge only when someone chats).
.PHONY: purge
purge: $(VENV)/.installed
	@$(PY) -m ops.purge

# The messages advisors labelled in the console's inbox (« Messages à revoir »), as training data:
# data/nlu/reviewed.yml and bot/data/answers/reviewed.yml. Not a step of `make train` (CI trains
# on a clean clone, without the database): run `make reviewed && make train`.
.PHONY: reviewed
reviewed: $(VENV)/.installed
	@$(PY) -m ops.reviewed

# The pure packages of bot/ import nothing of Rasa, Sanic, socket.io or SQLAlchemy (pyproject.toml).
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	@$(MAKE) --no-print-directory lint-js

# mypy on the pure packages: which ones, and how strictly, is in pyproject.toml ([tool.mypy]).
.PHONY: typecheck
typecheck: $(VENV)/.installed
	$(BIN)/mypy

# ESLint on the widget's and the console's scripts (eslint.config.js), pinned by package-lock.json.
JS_FILES := bot/adapters/web/static/widget.js $(wildcard bot/adapters/web/console/*.js)
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is required for lint-js (Debian: apt-get install npm)"; exit 1; }
	@npm ci --silent --no-audit --no-fund
	@touch $@

lint-js: node_modules/.package-lock.json
	@node_modules/.bin/eslint --max-warnings 0 $(JS_FILES) eslint.config.js

validate: $(VENV)/.installed
	$(RASA) data validate --fail-on-warnings

# The browser tests drive Debian's chromium (never a downloaded browser).
browser:
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium for the browser tests…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get install -y -qq chromium >/dev/null || { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }; }

# The tests of the production set-up need PostgreSQL: the machine's, else a throwaway one that
# tests/postgres.py starts from Debian's package, installed here if missing.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null || { \
	  echo "Installing Debian's postgresql for the tests…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get install -y -qq postgresql >/dev/null || { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq postgresql >/dev/null; }; }

# The production profile (make run PROFILE=prod, tests/e2e/test_topology.py) puts Debian's nginx in
# front of the servers; it runs its own nginx process, never the system's service.
.PHONY: nginx
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { echo "Installing Debian's nginx…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get install -y -qq nginx-light >/dev/null || { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nginx-light >/dev/null; }; }

# The production topology's test (tests/e2e/test_topology.py) needs Redis: the machine's, else a
# throwaway one it starts from Debian's redis-server, installed here if missing.
redis:
	@command -v redis-server >/dev/null || (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null || { \
	  echo "Installing Debian's redis-server for the tests…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get install -y -qq redis-server >/dev/null || { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq redis-server >/dev/null; }; }

test: $(MODEL) browser postgres nginx redis
	$(RASA) data validate --fail-on-warnings
	$(BIN)/pytest -q --durations=12 tests

test-fast: $(VENV)/.installed
	$(BIN)/pytest -q -m "unit or actions" tests

# Ours against a vanilla Rasa 3.6 (default pipeline and policies, trained once on our data and
# cached in models/): latency, throughput at 20 and 100 owners at once, start-up, memory, model
# size, training time; writes docs/performance.md and results/benchmark.json. Not part of
# `make test`. Rasa's default 100 epochs make the first vanilla training hours long on 2 cores:
# BENCH_ARGS="--vanilla-epochs 10" (same layers, same work per message). Options: docs/performance.md.
BENCH_ARGS ?=
.PHONY: bench
bench: $(MODEL)
	$(PY) scripts/benchmark.py $(BENCH_ARGS)

evaluate: $(MODEL)
	$(PY) scripts/evaluate_nlu.py
	$(PY) scripts/evaluate_answers.py

clean:
	rm -rf models results var/*.db

# Known and justified vulnerabilities (README, "Known vulnerabilities") are listed here; any
# other one fails. pip-audit runs in its own venv: its dependencies do not fit Rasa's pins.
AUDIT_IGNORED := CVE-2025-61765 CVE-2026-48804 CVE-2026-48802 CVE-2026-48809 CVE-2024-52304 CVE-2025-53643 \
	CVE-2025-4565 CVE-2024-3772 CVE-2023-29483 CVE-2024-40647 CVE-2024-5629 CVE-2024-5206 CVE-2024-3660
audit:
	@test -x .venv-audit/bin/pip-audit || { python3 -m venv .venv-audit && .venv-audit/bin/pip install --quiet pip-audit; }
	.venv-audit/bin/pip-audit --strict --no-deps --disable-pip -r requirements.txt $(addprefix --ignore-vuln ,$(AUDIT_IGNORED))

# pip-tools runs in its own venv (its build dependencies do not fit Rasa's pins). Existing pins
# are kept unless requirements*.in asks otherwise; `make lock UPGRADE=--upgrade` takes the newest.
lock:
	@test -x .venv-tools/bin/pip-compile || { $(PYTHON310) -m venv .venv-tools && .venv-tools/bin/pip install --quiet pip-tools; }
	CUSTOM_COMPILE_COMMAND="make lock" .venv-tools/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links $(UPGRADE) \
	  --output-file requirements.txt requirements.in requirements-dev.in
