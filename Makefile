# Shequ: `make run` starts the demo, `make test` runs every test. `make help` lists the rest.
SHELL := /bin/bash
PYTHON := $(shell scripts/find-python)
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 1
PYTEST_WORKERS ?= 2

.PHONY: help run serve test test-only lint check-i18n messages install worker scheduler bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(UV):
	@test -n "$(PYTHON)" || exit 1
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON) --quiet
	@touch $@

install: $(VENV)/.synced ## Install everything into .venv (uv, locked versions)

run: install ## Install, create the SQLite database, load the demo district, start on 127.0.0.1:8000
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py seed_demo --scale $(SCALE) --if-empty
	@$(PY) manage.py demo_logins --url http://$(HOST):$(PORT)/
	@# The task worker (imports, messages) and the scheduler (reminders, deadline scan) run
	@# beside the web server and stop with it.
	@$(PY) manage.py db_worker --no-reload -v0 & worker=$$!; \
	  $(PY) manage.py scheduler & scheduler=$$!; \
	  trap 'kill $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	  echo "Background worker and scheduler started."; \
	  $(PY) manage.py runserver $(HOST):$(PORT) --skip-checks

serve: install ## Serve with gunicorn (production-like; set DEBUG=false and the secrets)
	$(PY) manage.py collectstatic --no-input -v0
	$(VENV)/bin/gunicorn config.wsgi -b $(HOST):$(PORT) -w $${WEB_CONCURRENCY:-4}

worker: install ## Run the background task worker (database backend, or RQ with TASKS_BACKEND=rq)
	@if [ "$${TASKS_BACKEND:-database}" = "rq" ]; then \
	  $(PY) manage.py rqworker default --job-class django_tasks_rq.backend.Job; \
	else $(PY) manage.py db_worker; fi

scheduler: install ## Run the periodic-job scheduler
	$(PY) manage.py scheduler

test: install ## Install everything and run the whole test suite (browser tests included)
	scripts/ensure-browser
	$(MAKE) --no-print-directory test-only

test-only: ## Run the suite without installing (DATABASE_URL picks the database)
	FAST_PASSWORD_HASHER=true $(VENV)/bin/pytest -n $(PYTEST_WORKERS) -q

lint: install ## ruff, mypy, migrations and translations checks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-i18n

check-i18n: ## Fail when the Chinese translation is incomplete or not compiled
	$(PY) scripts/check_translations.py

messages: install ## Refresh the .po files from the source and compile them
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=.tools --ignore=static/vendor --ignore=var --ignore=bench --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.tools

bench: install ## Run the benchmarks (see bench/README.md)
	$(PY) bench/run_all.py

clean: ## Remove the virtual environments and the local database
	rm -rf $(VENV) $(TOOLS) var
