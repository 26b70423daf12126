# Téléservices — back office d'instruction. `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TEST_ENV := SECRET_KEY=insecure-test-key DEBUG=0

.DEFAULT_GOAL := help
.PHONY: help install demo test test-fast lint format migrate lock bench bench-quick seed-load

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(VENV)/.installed ## Install the locked dependencies in .venv

# `make demo` also runs « FranceConnect de démonstration » (franceconnect_demo, fictitious identities) on
# this port and points the site at it; stopped with the site. Port taken: the site starts without FranceConnect.
DEMO_FC_PORT := 8001
DEMO_FC_ENV := FRANCECONNECT_BASE_URL=http://127.0.0.1:$(DEMO_FC_PORT) \
	FRANCECONNECT_CLIENT_ID=demo-mes-services-publics FRANCECONNECT_CLIENT_SECRET=demo-secret-non-confidentiel
DEMO_FC_UP := $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', $(DEMO_FC_PORT)), 1).close()"

demo: install ## Start the product with demo data on http://127.0.0.1:8000 (embedded PostgreSQL, local FranceConnect)
	@set -e; \
	$(BIN)/python -m franceconnect_demo --port $(DEMO_FC_PORT) --site http://127.0.0.1:8000 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null || true' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; \
	DEBUG=1 $(BIN)/python manage.py migrate --noinput; \
	DEBUG=1 $(BIN)/python manage.py seed_demo; \
	fc="$(DEMO_FC_ENV)"; tries=50; \
	until kill -0 $$pid 2>/dev/null && $(DEMO_FC_UP) 2>/dev/null; do \
	  tries=$$((tries - 1)); \
	  if [ $$tries -le 0 ] || ! kill -0 $$pid 2>/dev/null; then fc=; break; fi; \
	  sleep 0.2; \
	done; \
	[ -n "$$fc" ] || echo "FranceConnect de démonstration n'a pas démarré (port $(DEMO_FC_PORT) occupé ?) :" \
	  "le site démarre sans FranceConnect."; \
	env DEBUG=1 $$fc $(BIN)/python manage.py demo_banner; \
	env DEBUG=1 $$fc $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install ## Run the whole test suite (browser tests included)
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install ## Run the tests without the browser
	$(TEST_ENV) $(BIN)/python -m pytest -m "not e2e" $(PYTEST_ARGS)

lint: install ## Ruff and Django's checks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(BIN)/mypy
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/python manage.py check

format: install ## Reformat the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: ## Refresh requirements.lock from pyproject.toml (needs uv)
	uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

# The benchmark database is kept between runs (seeded once): .data/bench-<N>, or the database
# teleservices_bench_<N> on DATABASE_URL's server. Results in bench/results.json.
N ?= 1000000
bench: install ## Measure pages, actions, the peer queue, the SQL floor and a load run on N dossiers (default 1,000,000)
	$(BIN)/python -m bench --dossiers $(N)

bench-quick: install ## The same on 10,000 dossiers, shorter load run
	$(BIN)/python -m bench --dossiers 10000 --load-seconds 20 --out bench/results-quick.json

# SEED_LOAD_ARGS="--seed 7 --defer-fk-checks" (superuser: foreign keys checked once at the end;
# measured 6 min 14 s → 4 min 44 s for 1,000,000 dossiers)
seed-load: install ## Generate N dossiers (default 1,000,000) for load tests, on a database without dossiers
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_load --dossiers $(N) $(SEED_LOAD_ARGS)
