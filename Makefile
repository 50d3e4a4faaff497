# Chain Survey: `make run` sets up and serves the demo company, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist processes for `make test` (each has its own test database and browser); 1 runs serially.
# xdist's default `--dist load` hands tests out in collection order, so each process runs its
# transactional tests (which flush the tables) after the others, as a serial run does
# (`--dist loadscope` mixes them, and later tests then miss the migrations' rows).
TEST_WORKERS ?= auto

.PHONY: run test lint format install demo worker beat bench bench-scale clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-oidc-provider.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --durations=15

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: install
	$(VENV)/bin/celery -A chainsurvey worker --loglevel=info

beat: install
	$(VENV)/bin/celery -A chainsurvey beat --loglevel=info --schedule=/tmp/chainsurvey-celerybeat-schedule

bench: install
	@# bench/pages.py loads pages with wrk; without it, its Python client shares the cores with the server.
	bash scripts/ensure-debian-package.sh wrk wrk "bench/pages.py will use its Python client (lower figures)."
	$(PY) bench/run_all.py

bench-scale: install
	@# 100,000 people in 200 departments (bench/scale.py): import, roll-up, exports, pages, the survey.
	bash scripts/ensure-debian-package.sh wrk wrk "bench/pages.py will use its Python client (lower figures)."
	$(PY) bench/scale.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
