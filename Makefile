# Téléservices — back office d'instruction. `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TEST_ENV := SECRET_KEY=insecure-test-key DEBUG=0

.DEFAULT_GOAL := help
.PHONY: help install demo test test-fast lint format migrate lock bench bench-quick seed-load worker beat serve

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

# --- Background work, and a production-like run on this machine ---------------------------
# The worker and beat need a broker (Redis); without CELERY_BROKER_URL the site runs its tasks itself.
NEED_BROKER = @if [ -z "$$CELERY_BROKER_URL" ]; then \
	echo "CELERY_BROKER_URL n'est pas défini : le worker et beat ont besoin d'un broker Redis," \
	  "par exemple : CELERY_BROKER_URL=redis://127.0.0.1:6379/0 make $@" >&2; \
	echo "(sans broker, le site exécute ses tâches lui-même, dans le processus web)." >&2; \
	exit 2; fi
BROKER_UP := $(BIN)/python -c "import os, kombu; c = kombu.Connection(os.environ['CELERY_BROKER_URL']); \
	c.ensure_connection(max_retries=1); c.release()"

worker: install ## Start a Celery worker: e-mails, webhooks, PDFs, exports (needs CELERY_BROKER_URL)
	$(NEED_BROKER)
	$(BIN)/celery -A config worker --loglevel $${LOG_LEVEL:-INFO} $(WORKER_ARGS)

beat: install ## Start Celery beat, the periodic jobs: one per deployment (needs CELERY_BROKER_URL)
	$(NEED_BROKER)
	@mkdir -p "$${DATA_DIR:-.data}"
	$(BIN)/celery -A config beat --loglevel $${LOG_LEVEL:-INFO}

# DEBUG=0, migrations, collectstatic, then gunicorn (config.serve_wsgi: the site and STATIC_ROOT,
# the reverse proxy's job in production), one worker and beat in the foreground; Ctrl-C stops all
# three, and so does the end of any one of them. Plain HTTP on loopback: SECURE_COOKIES=0.
# Without SECRET_KEY, one is generated once into DATA_DIR/serve-secret-key.
SERVE_PORT ?= 8000
serve: install ## gunicorn, a worker and beat together, production-like, on http://127.0.0.1:8000 (Ctrl-C stops them)
	@set -e; \
	export DEBUG=0; \
	export CELERY_BROKER_URL="$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}"; \
	export ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}"; \
	export SITE_URL="$${SITE_URL:-http://127.0.0.1:$(SERVE_PORT)}"; \
	export SECURE_COOKIES="$${SECURE_COOKIES:-0}"; \
	data="$${DATA_DIR:-.data}"; mkdir -p "$$data"; \
	if [ -z "$${SECRET_KEY:-}" ]; then \
	  [ -s "$$data/serve-secret-key" ] || (umask 077; \
	    $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > "$$data/serve-secret-key"); \
	  SECRET_KEY="$$(cat "$$data/serve-secret-key")"; export SECRET_KEY; \
	fi; \
	$(BROKER_UP) 2>/dev/null || { echo "Le broker $$CELERY_BROKER_URL ne répond pas :" \
	  "démarrez Redis (redis-server) ou indiquez CELERY_BROKER_URL." >&2; exit 2; }; \
	$(BIN)/python manage.py migrate --noinput; \
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0; \
	web=; worker=; beat=; \
	trap 'kill $$web $$worker $$beat 2>/dev/null || true; wait' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(BIN)/gunicorn config.serve_wsgi:application --bind 127.0.0.1:$(SERVE_PORT) \
	  --workers $${WEB_CONCURRENCY:-2} --access-logfile - & web=$$!; \
	$(BIN)/celery -A config worker --loglevel $${LOG_LEVEL:-INFO} & worker=$$!; \
	$(BIN)/celery -A config beat --loglevel $${LOG_LEVEL:-INFO} & beat=$$!; \
	echo "Site : http://127.0.0.1:$(SERVE_PORT)/ — gunicorn, un worker et beat ; Ctrl-C pour tout arrêter."; \
	while kill -0 $$web 2>/dev/null && kill -0 $$worker 2>/dev/null && kill -0 $$beat 2>/dev/null; do \
	  sleep 1; \
	done; \
	echo "gunicorn, le worker ou beat s'est arrêté : arrêt des trois." >&2; exit 1
